/**
 * Group commit for the batches of several partitions that kafkajs hands over at once
 * (partitionsConsumedConcurrently). Each batch is processed alone and in turn, as before; its
 * results then wait in the open group, and the group is committed, as one transaction, once no
 * batch that has been submitted is still waiting to be processed. One transaction per fetch
 * instead of one per partition: with six partitions a fetch used to wait for six transactions (and
 * six claim-store flushes) one after another before the next fetch.
 *
 * A failed commit fails every member (each batch is read again, as when its own transaction
 * failed); a batch whose processing fails leaves the group without holding it up.
 */
export class CommitGroups<T> {
  private open: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  /** Batches submitted and not yet processed: the open group waits for them. */
  private processing = 0;
  private committing = false;
  private turn: Promise<void> = Promise.resolve();

  constructor(private readonly commit: (items: T[]) => Promise<void>) {}

  /**
   * Processes one batch after the batches submitted before it (processing stays sequential: the
   * judge sees one batch at a time), then waits for the transaction that commits its item.
   * `process` returns undefined when there is nothing to commit.
   */
  async submit(process: () => Promise<T | undefined>): Promise<T | undefined> {
    this.processing++;
    const previous = this.turn;
    let release: () => void = () => undefined;
    this.turn = new Promise<void>((r) => (release = r));
    let item: T | undefined;
    try {
      await previous;
      item = await process();
    } catch (error) {
      this.processing--;
      this.commitWhenReady();
      throw error;
    } finally {
      // The next batch's turn starts in a later microtask, after this one has enlisted below.
      release();
    }
    this.processing--;
    if (item === undefined) {
      this.commitWhenReady();
      return undefined;
    }
    const enlisted = item;
    const committed = new Promise<void>((resolve, reject) =>
      this.open.push({ item: enlisted, resolve, reject }),
    );
    this.commitWhenReady();
    await committed;
    return item;
  }

  private commitWhenReady(): void {
    if (this.committing || this.processing > 0 || this.open.length === 0) return;
    const members = this.open;
    this.open = [];
    this.committing = true;
    this.commit(members.map((m) => m.item))
      .then(
        () => members.forEach((m) => m.resolve()),
        (error: unknown) => members.forEach((m) => m.reject(error)),
      )
      .finally(() => {
        this.committing = false;
        this.commitWhenReady();
      })
      .catch(() => undefined);
  }
}
