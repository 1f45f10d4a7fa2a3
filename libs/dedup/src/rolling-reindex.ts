import type { Database } from 'lmdb';
import { BucketIndex } from './bucket-index';
import { recordIndexKeys } from './record-index-keys';
import { recordReceivedAt } from './record.codec';
import { RecordColumns } from './record-columns';

/** Puts a record in an index and its columns; returns its receivedAt. */
export function indexRecord(
  index: BucketIndex,
  columns: RecordColumns,
  seq: number,
  bytes: Uint8Array,
): number {
  for (const k of recordIndexKeys(bytes)) index.push(k, seq);
  columns.add(seq, bytes);
  return recordReceivedAt(bytes);
}

/**
 * A fresh bucket index and record columns built from the records on disk, a slice at a time,
 * leaving out records received before `cutoff`. The LMDB store builds one at open (all slices at
 * once) and, while running, whenever its index holds records well past the horizon: slices then
 * run between judgements, so a long-running normalizer sheds old petitions from memory without a
 * restart and without one long pause: at a million petitions a step of 20,000 records took ~90 ms
 * and the last ~1 s (it trims the arrays), where the whole rebuild took 5 s.
 *
 * Records committed while it runs have higher seqs than any it has read, so it reaches them too:
 * when it has read the last record on disk, it holds everything the live index holds but the
 * expired records, and the store swaps it in.
 */
export class RollingReindex {
  readonly index = new BucketIndex();
  readonly columns = new RecordColumns();
  /** Seqs of the records left out, for the store to delete once the new index is in use. */
  readonly expired: number[] = [];
  /** Oldest receivedAt among the records indexed (Infinity: none). */
  oldest = Infinity;
  /** Newest receivedAt among the records read (−Infinity: none). */
  newest = -Infinity;
  private next = 0;

  constructor(
    private readonly records: Database<Buffer, number>,
    readonly cutoff: number,
  ) {}

  /** Reads up to `slice` more records; true when it has read the last one on disk. */
  step(slice: number): boolean {
    let read = 0;
    for (const { key, value } of this.records.getRange({ start: this.next })) {
      if (read++ >= slice) {
        this.next = key;
        return false;
      }
      const at = recordReceivedAt(value);
      this.newest = Math.max(this.newest, at);
      if (at < this.cutoff) {
        this.expired.push(key);
        continue;
      }
      indexRecord(this.index, this.columns, key, value);
      this.oldest = Math.min(this.oldest, at);
    }
    this.index.trim();
    this.columns.trim();
    return true;
  }
}
