import { createHash } from 'node:crypto';
import type { PetitionDraft } from '../channel-adapter';

/** One post as a scraper reported it, validated, with what its state is compared on. */
export interface BoardPost {
  /** Position in the pushed batch. */
  index: number;
  /** `<board>/<postId>`. */
  ref: string;
  board: string;
  postId: string;
  /** `board:<board>:<postId>`: the petition's idempotency key; its tracking number derives from it. */
  key: string;
  /** The post as a new petition (revision 1). */
  draft: PetitionDraft;
  /** Hashes of the parts a change is reported on (PetitionUpdate.changedFields). */
  hashes: FieldHashes;
  replies: { hash: string; reply: NonNullable<PetitionDraft['reply']> }[];
}

export interface FieldHashes {
  subject: string;
  body: string;
  recipient: string;
  meta: string;
}

/** What is remembered per (board, post): enough to tell an edit or a new reply from a repeat. */
export interface BoardPostState {
  revision: number;
  hashes: FieldHashes;
  replyHashes: string[];
}

export type BoardPostStatus = 'accepted' | 'updated' | 'replied' | 'unchanged';

export interface BoardPostPlan {
  status: BoardPostStatus;
  /** Raw records to publish, in order: received/updated first, then each new reply. */
  drafts: PetitionDraft[];
  /** The state to store once the drafts are durable (unchanged posts keep theirs). */
  next: BoardPostState;
  revision: number;
  newReplies: number;
}

const FIELDS = ['subject', 'body', 'recipient', 'meta'] as const;

export function hashOf(...parts: (string | null | undefined)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p ?? '\u0001').update('\u0000');
  return h.digest('hex').slice(0, 32);
}

/**
 * Pure: decides what a post seen again means against what we stored. New → petition.received;
 * any tracked field changed → petition.updated with revision + 1 and the changed fields; each
 * official reply not seen before → petition.replied; nothing new → nothing to publish.
 */
export function planPost(post: BoardPost, state: BoardPostState | undefined): BoardPostPlan {
  const drafts: PetitionDraft[] = [];
  let status: BoardPostStatus;
  let revision: number;
  if (!state) {
    status = 'accepted';
    revision = 1;
    drafts.push({ ...post.draft, ref: post.ref });
  } else {
    const changed = FIELDS.filter((f) => state.hashes[f] !== post.hashes[f]);
    revision = state.revision;
    status = 'unchanged';
    if (changed.length > 0) {
      status = 'updated';
      revision = state.revision + 1;
      drafts.push({
        ...post.draft,
        ref: post.ref,
        eventType: 'petition.updated',
        revision,
        idempotencyKey: `${post.key}#r${revision}`,
        petitionKey: post.key,
        update: { changedFields: [...changed], previousRevision: state.revision },
      });
    }
  }
  const seen = new Set(state?.replyHashes ?? []);
  let newReplies = 0;
  for (const { hash, reply } of post.replies) {
    if (seen.has(hash)) continue;
    seen.add(hash);
    newReplies++;
    drafts.push({
      ...post.draft,
      ref: post.ref,
      eventType: 'petition.replied',
      revision,
      idempotencyKey: `${post.key}#reply-${hash}`,
      petitionKey: post.key,
      reply,
    });
  }
  if (status === 'unchanged' && newReplies > 0) status = 'replied';
  return {
    status,
    drafts,
    next: { revision, hashes: post.hashes, replyHashes: [...seen] },
    revision,
    newReplies,
  };
}
