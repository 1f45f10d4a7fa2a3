/**
 * Groups the batches that kafkajs hands over together (partitionsConsumedConcurrently: it calls
 * eachBatch for every partition's batch of a fetch in the same tick) so that the normalizer
 * processes them as one judgement and commits them as one transaction. Per partition batch, a
 * fetch of six partitions used to take six dedup-store commits and six transactions, one after
 * another, before kafkajs fetched again.
 *
 * Items submitted in the same tick form one group; items submitted while a group runs wait and
 * form the next. One group runs at a time. A group that fails fails every item in it (each batch
 * is read again, as when its own transaction failed).
 */
export class CommitGroups<T> {
  private waiting: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private running = false;

  constructor(private readonly run: (items: T[]) => Promise<void>) {}

  /** Resolves when the group holding `item` has run; rejects with the group's error. */
  submit(item: T): Promise<void> {
    const done = new Promise<void>((resolve, reject) =>
      this.waiting.push({ item, resolve, reject }),
    );
    this.schedule();
    return done;
  }

  // setImmediate, not a microtask: the other partitions' eachBatch calls of the same fetch, and
  // what they do before submitting, come first.
  private schedule(): void {
    if (this.scheduled || this.running || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.runGroup();
    });
  }

  private async runGroup(): Promise<void> {
    if (this.running || this.waiting.length === 0) return;
    const members = this.waiting;
    this.waiting = [];
    this.running = true;
    try {
      await this.run(members.map((m) => m.item));
      for (const m of members) m.resolve();
    } catch (error) {
      for (const m of members) m.reject(error);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
