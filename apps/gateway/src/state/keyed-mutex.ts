/**
 * Serialises async work per key: a read-decide-publish-write sequence for one key (one SMS group,
 * one board post, one mailbox fingerprint, one
 * e-mail Message-ID delivered twice at once) must not interleave with another for the same key, or
 * both would decide from the same old state. Different keys run concurrently.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // Forget the key once nothing is queued behind us, so the map does not grow forever.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Runs `task` holding every key at once (keys sorted, so two callers cannot deadlock). */
  async runAll<T>(keys: string[], task: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const step = (i: number): Promise<T> => {
      const key = sorted[i];
      return key === undefined ? task() : this.run(key, () => step(i + 1));
    };
    return step(0);
  }
}
