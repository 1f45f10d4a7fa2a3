/**
 * Runs tasks one after another. A judgement reads, decides and then writes; two judgements of the
 * same instance interleaving would both miss each other, so each store serialises its own.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
