import { appendFileSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool } from './disk-spool';

describe('DiskSpool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const payloads = (n: number) =>
    Array.from({ length: n }, (_, i) => Buffer.from(`record-${i}-信访`));

  it('returns what was appended, in order, and forgets only what was acknowledged', async () => {
    const spool = new DiskSpool(dir);
    spool.open();
    await Promise.all(payloads(10).map((p) => spool.append(p)));
    expect(spool.depth.records).toBe(10);
    expect(spool.peek(3).map(String)).toEqual(['record-0-信访', 'record-1-信访', 'record-2-信访']);
    spool.ack(3);
    expect(spool.peek(100).map(String)).toEqual(payloads(10).slice(3).map(String));
    expect(spool.depth.records).toBe(7);
    spool.close();
  });

  it('survives a restart: unacknowledged records come back, acknowledged ones do not', async () => {
    const first = new DiskSpool(dir);
    first.open();
    await Promise.all(payloads(5).map((p) => first.append(p)));
    first.ack(2);
    first.close();
    const second = new DiskSpool(dir);
    second.open();
    expect(second.peek(10).map(String)).toEqual([
      'record-2-信访',
      'record-3-信访',
      'record-4-信访',
    ]);
    second.close();
  });

  it('cuts a torn record at the tail (a crash mid-write) and keeps the good ones', async () => {
    const spool = new DiskSpool(dir);
    spool.open();
    await spool.append(Buffer.from('good'));
    spool.close();
    const segment = readdirSync(dir).find((f) => f.startsWith('segment-')) as string;
    appendFileSync(join(dir, segment), Buffer.from([0, 0, 0, 50, 1, 2, 3, 4, 65, 66]));
    const again = new DiskSpool(dir);
    again.open();
    expect(again.peek(10).map(String)).toEqual(['good']);
    await again.append(Buffer.from('after'));
    expect(again.peek(10).map(String)).toEqual(['good', 'after']);
    again.close();
  });

  it('rolls segments and deletes the ones fully acknowledged', async () => {
    const spool = new DiskSpool(dir, 64);
    spool.open();
    for (const p of payloads(20)) await spool.append(p);
    expect(readdirSync(dir).filter((f) => f.startsWith('segment-')).length).toBeGreaterThan(1);
    spool.ack(20);
    expect(spool.depth).toEqual({ records: 0, bytes: 0 });
    expect(readdirSync(dir).filter((f) => f.startsWith('segment-')).length).toBe(1);
    spool.close();
  });

  it('refuses to open a directory it cannot write', () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits; a path under a regular file can never be created.
      const file = join(dir, 'file');
      appendFileSync(file, 'x');
      expect(() => new DiskSpool(join(file, 'spool')).open()).toThrow();
      return;
    }
    chmodSync(dir, 0o500);
    expect(() => new DiskSpool(join(dir, 'spool')).open()).toThrow();
  });
});
