/** Attachment metadata; the bytes live in the blob store under `ref` (never inside events). */
export interface AttachmentMeta {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Where the bytes are, e.g. `blob:sha256/<hex>`. */
  ref: string;
}
