import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  ftruncateSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * A local, append-only, fsync'd spool: where accepted items wait when Kafka is down or slow.
 *
 * Layout: `segment-<n>.log` files of framed records ([u32 length][u32 crc32][payload]) and a
 * `cursor` file with the first unacknowledged record (segment and byte offset), replaced
 * atomically (write + fsync + rename). Appends are group-committed: every append waiting at the
 * same moment shares one write and one fdatasync. A torn record at the tail (a crash mid-write)
 * fails its CRC and is cut off at recovery: it was never acknowledged to its sender.
 */
export class DiskSpool {
  private segment = 0;
  private fd = -1;
  private writeOffset = 0;
  private readSegment = 0;
  private readOffset = 0;
  private bytes = 0;
  private records = 0;
  private waiting: { frame: Buffer; resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing = false;
  private cache: { segment: number; data: Buffer } | undefined;

  constructor(
    private readonly dir: string,
    private readonly segmentBytes = 64 * 1024 * 1024,
  ) {}

  /** Opens (and recovers) the spool; throws if the directory is not writable. */
  open(): void {
    mkdirSync(this.dir, { recursive: true });
    const probe = join(this.dir, '.writable');
    const fd = openSync(probe, 'w');
    writeSync(fd, 'ok');
    fsyncSync(fd);
    closeSync(fd);
    rmSync(probe);
    this.recover();
  }

  get depth(): { records: number; bytes: number } {
    return { records: this.records, bytes: this.bytes };
  }

  /** Resolves once the payload is on disk (fdatasync), never before. */
  append(payload: Buffer): Promise<void> {
    const frame = Buffer.allocUnsafe(8 + payload.length);
    frame.writeUInt32BE(payload.length, 0);
    frame.writeUInt32BE(crc32(payload), 4);
    payload.copy(frame, 8);
    return new Promise((resolve, reject) => {
      this.waiting.push({ frame, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Up to `max` records from the head, oldest first, without removing them. */
  peek(max: number): Buffer[] {
    const out: Buffer[] = [];
    let seg = this.readSegment;
    let off = this.readOffset;
    while (out.length < max && seg <= this.segment) {
      const data = this.segmentData(seg);
      while (out.length < max && off + 8 <= data.length) {
        const len = data.readUInt32BE(off);
        if (off + 8 + len > data.length) break;
        out.push(data.subarray(off + 8, off + 8 + len));
        off += 8 + len;
      }
      if (out.length < max) {
        seg++;
        off = 0;
      }
    }
    return out;
  }

  /** Removes the `count` oldest records (Kafka has acknowledged them). */
  ack(count: number): void {
    let left = count;
    while (left > 0 && this.records > 0) {
      const path = this.segmentPath(this.readSegment);
      const data = this.segmentData(this.readSegment);
      while (left > 0 && this.readOffset + 8 <= data.length) {
        const len = data.readUInt32BE(this.readOffset);
        this.readOffset += 8 + len;
        this.bytes -= 8 + len;
        this.records--;
        left--;
      }
      if (this.readOffset >= data.length && this.readSegment < this.segment) {
        rmSync(path, { force: true });
        this.readSegment++;
        this.readOffset = 0;
      } else if (left > 0) {
        break;
      }
    }
    this.writeCursor();
  }

  /** A segment's bytes, cached while the relay works through it (re-read when it has grown). */
  private segmentData(n: number): Buffer {
    const path = this.segmentPath(n);
    if (!existsSync(path)) return Buffer.alloc(0);
    const size = statSync(path).size;
    if (this.cache?.segment !== n || this.cache.data.length !== size) {
      this.cache = { segment: n, data: readFileSync(path) };
    }
    return this.cache.data;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    try {
      if (this.writeOffset > 0 && this.writeOffset >= this.segmentBytes) this.roll();
      const buf = Buffer.concat(batch.map((w) => w.frame));
      let written = 0;
      while (written < buf.length)
        written += writeSync(
          this.fd,
          buf,
          written,
          buf.length - written,
          this.writeOffset + written,
        );
      fsyncSync(this.fd);
      this.writeOffset += buf.length;
      this.bytes += buf.length;
      this.records += batch.length;
      for (const w of batch) w.resolve();
    } catch (error) {
      // A failed write is not acknowledged: the sender is told, and the tail is cut back.
      try {
        ftruncateSync(this.fd, this.writeOffset);
      } catch {
        /* the original error is what matters */
      }
      for (const w of batch) w.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (this.waiting.length > 0) setImmediate(() => this.flush());
    else this.flushing = false;
  }

  private roll(): void {
    closeSync(this.fd);
    this.segment++;
    this.fd = openSync(this.segmentPath(this.segment), 'a+');
    this.writeOffset = 0;
  }

  private segmentPath(n: number): string {
    return join(this.dir, `segment-${String(n).padStart(10, '0')}.log`);
  }

  private writeCursor(): void {
    const tmp = join(this.dir, 'cursor.tmp');
    const fd = openSync(tmp, 'w');
    writeSync(fd, JSON.stringify({ segment: this.readSegment, offset: this.readOffset }));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, 'cursor'));
  }

  private recover(): void {
    const segments = readdirSync(this.dir)
      .map((f) => /^segment-(\d+)\.log$/.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const cursorPath = join(this.dir, 'cursor');
    if (existsSync(cursorPath)) {
      const c = JSON.parse(readFileSync(cursorPath, 'utf8')) as { segment: number; offset: number };
      this.readSegment = c.segment;
      this.readOffset = c.offset;
    } else {
      this.readSegment = segments[0] ?? 0;
      this.readOffset = 0;
    }
    this.segment = Math.max(this.readSegment, segments[segments.length - 1] ?? 0);
    this.records = 0;
    this.bytes = 0;
    for (const n of segments) {
      if (n < this.readSegment) {
        rmSync(this.segmentPath(n), { force: true });
        continue;
      }
      const path = this.segmentPath(n);
      const data = readFileSync(path);
      let off = n === this.readSegment ? this.readOffset : 0;
      let valid = off;
      while (off + 8 <= data.length) {
        const len = data.readUInt32BE(off);
        const end = off + 8 + len;
        if (end > data.length || crc32(data.subarray(off + 8, end)) !== data.readUInt32BE(off + 4))
          break;
        this.records++;
        this.bytes += 8 + len;
        off = end;
        valid = end;
      }
      if (valid < data.length && n === this.segment) {
        // The torn tail of the last write before a crash: never acknowledged, safe to drop.
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, valid);
        fsyncSync(fd);
        closeSync(fd);
      }
    }
    const path = this.segmentPath(this.segment);
    this.fd = openSync(path, 'a+');
    this.writeOffset = statSync(path).size;
  }
}
