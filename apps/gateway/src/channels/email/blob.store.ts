import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredBlob {
  sha256: string;
  size: number;
  /** `blob:sha256/<hex>`: where the bytes are, as AttachmentMeta.ref and meta.*Ref carry it. */
  ref: string;
}

/**
 * Content-addressed file store for bytes that must not travel inside events (attachments, the
 * full original text, raw messages that could not be parsed). A blob is written to a temporary
 * file, fsynced, renamed into place and its directory fsynced, so once put() resolves the bytes
 * survive a crash, and a crash half-way leaves no partial blob under the final name.
 */
export class BlobStore {
  constructor(private readonly root: string) {}

  static refOf(sha256: string): string {
    return `blob:sha256/${sha256}`;
  }

  pathOf(sha256: string): string {
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  async put(bytes: Buffer): Promise<StoredBlob> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const stored = { sha256, size: bytes.length, ref: BlobStore.refOf(sha256) };
    const target = this.pathOf(sha256);
    const existing = await stat(target).catch(() => null);
    if (existing?.size === bytes.length) return stored;
    const dir = join(this.root, 'sha256', sha256.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.tmp-${sha256.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    const file = await open(temp, 'wx', 0o640);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    return stored;
  }
}
