import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore } from './blob.store';

describe('BlobStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'blobs-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores bytes under their SHA-256, once, with no temporary file left behind', async () => {
    const store = new BlobStore(dir);
    const bytes = Buffer.from('工地照片的字节', 'utf8');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const first = await store.put(bytes);
    const again = await store.put(bytes);
    expect(first).toEqual({ sha256: sha, size: bytes.length, ref: `blob:sha256/${sha}` });
    expect(again).toEqual(first);
    expect(readFileSync(store.pathOf(sha))).toEqual(bytes);
    expect(readdirSync(join(dir, 'sha256', sha.slice(0, 2)))).toEqual([sha]);
  });
});
