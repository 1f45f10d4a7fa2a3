/**
 * Serialises async work per key: the check-publish-remember sequence of one Message-ID (the same
 * mail delivered to two of our addresses in parallel SMTP sessions, or by IMAP and SMTP at once)
 * must not interleave, or both would publish and both would send a receipt.
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
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
