import type { Database } from 'lmdb';
import { fmix32 } from './min-hash.fingerprint';

/** A 32-bit hash of an id (FNV-1a, then a finaliser so the low bits spread). */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return fmix32(h ^ id.length);
}

function entryOf(id: string, encoded: string): string {
  return `${id.length}:${id}${encoded}`;
}

/** Where the value of `entry` starts if the entry is `id`'s, else -1. */
function valueAt(entry: string, id: string): number {
  const prefix = `${id.length}:`;
  return entry.startsWith(prefix) && entry.startsWith(id, prefix.length)
    ? prefix.length + id.length
    : -1;
}

function idOf(entry: string): string {
  const colon = entry.indexOf(':');
  return entry.substr(colon + 1, Number(entry.slice(0, colon)));
}

/**
 * Newest log key per id: open addressing over typed arrays (8 bytes a slot, no object per id for
 * the GC to trace). A slot keeps its id's whole hash, so growing needs no read and a lookup reads
 * the log (`idIs`) only when the whole hash matches: then the id itself decides, and two ids that
 * share a hash stay apart rather than merged.
 */
export class LogKeyIndex {
  private hashes = new Uint32Array(1 << 10);
  /** Log key per slot; 0 is a free slot (log keys start at 1). */
  private keys = new Uint32Array(1 << 10);
  private used = 0;

  constructor(
    private readonly idIs: (logKey: number, id: string) => boolean,
    private readonly hash: (id: string) => number = idHash,
  ) {}

  get size(): number {
    return this.used;
  }

  get bytes(): number {
    return this.hashes.byteLength + this.keys.byteLength;
  }

  /** The log key of `id`'s newest entry, or 0. */
  get(id: string): number {
    const h = this.hash(id);
    const mask = this.keys.length - 1;
    for (let j = h & mask; ; j = (j + 1) & mask) {
      const key = this.keys[j] ?? 0;
      if (key === 0) return 0;
      if (this.hashes[j] === h && this.idIs(key, id)) return key;
    }
  }

  /** Points `id` at `logKey`; returns the log key it pointed at before (superseded), or 0. */
  set(id: string, logKey: number): number {
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const h = this.hash(id);
    const mask = this.keys.length - 1;
    for (let j = h & mask; ; j = (j + 1) & mask) {
      const key = this.keys[j] ?? 0;
      if (key === 0) {
        this.keys[j] = logKey;
        this.hashes[j] = h;
        this.used++;
        return 0;
      }
      if (this.hashes[j] === h && this.idIs(key, id)) {
        this.keys[j] = logKey;
        return key;
      }
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldHashes = this.hashes;
    this.keys = new Uint32Array(oldKeys.length * 2);
    this.hashes = new Uint32Array(oldKeys.length * 2);
    const mask = this.keys.length - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i] ?? 0;
      if (key === 0) continue;
      const h = oldHashes[i] ?? 0;
      let j = h & mask;
      while ((this.keys[j] ?? 0) !== 0) j = (j + 1) & mask;
      this.keys[j] = key;
      this.hashes[j] = h;
    }
  }
}

/**
 * An append-only LMDB table of id → value, for state that is read by id and written often: each
 * write appends under the next integer key (LMDB's cheapest write: the last page, in order), and
 * an in-memory index, rebuilt at open, says which entry is an id's newest. Writing in place under
 * the id instead would touch a random B-tree page per write (about 5 µs of CPU each, a tenth of a
 * judgement). Superseded entries stay on disk until the store prunes at open (LmdbDedupStore's pruneAtOpen).
 *
 * Entry: `${id.length}:${id}${encoded value}`, so an id may hold any character.
 */
export class IdLog<T> {
  private index: LogKeyIndex;
  private last = 0;
  /** The entry the index last read to confirm an id: get() decodes it without a second read. */
  private confirmedKey = 0;
  private confirmed = '';

  constructor(
    readonly db: Database<string, number>,
    private readonly encode: (value: T) => string,
    private readonly decode: (text: string) => T,
  ) {
    this.index = this.freshIndex();
  }

  private freshIndex(): LogKeyIndex {
    return new LogKeyIndex((key, id) => {
      const entry = this.db.get(key);
      if (entry === undefined || valueAt(entry, id) < 0) return false;
      this.confirmedKey = key;
      this.confirmed = entry;
      return true;
    });
  }

  get ids(): number {
    return this.index.size;
  }

  get indexBytes(): number {
    return this.index.bytes;
  }

  /** Log key of the newest entry (0: empty). */
  get lastKey(): number {
    return this.last;
  }

  /**
   * The index from the entries on disk, oldest first so the newest entry of an id wins. Returns
   * the keys of the entries that a newer one of the same id superseded.
   */
  rebuild(): number[] {
    this.index = this.freshIndex();
    this.last = 0;
    this.confirmedKey = 0;
    const superseded: number[] = [];
    for (const { key, value } of this.db.getRange()) {
      const older = this.index.set(idOf(value), key);
      if (older !== 0) superseded.push(older);
      this.last = key;
    }
    return superseded;
  }

  /** Entries on disk, superseded ones included. */
  entries(): number {
    return this.db.getKeysCount();
  }

  get(id: string): T | null {
    const key = this.index.get(id);
    if (key === 0) return null;
    const entry = key === this.confirmedKey ? this.confirmed : (this.db.get(key) ?? '');
    return this.decode(entry.slice(valueAt(entry, id)));
  }

  /**
   * Queues the entry inside the caller's LMDB transaction and returns what to index once that
   * transaction has committed: until then readers see the previous entry (the store's own
   * transaction view covers its uncommitted writes).
   */
  append(id: string, value: T): () => void {
    const key = ++this.last;
    void this.db.put(key, entryOf(id, this.encode(value)));
    return () => this.index.set(id, key);
  }

  /** Synchronous put for a one-off migration, indexed at once. */
  appendNow(id: string, value: string): void {
    const key = ++this.last;
    void this.db.put(key, entryOf(id, value));
    this.index.set(id, key);
  }
}
