import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RecipientDirectory, type BoardConfig, type ChannelsConfig } from '@app/config';
import { CHANNELS_CONFIG } from '../../config/tokens';
import { ChannelAuthError, ChannelRequestError } from '../../http/channel-errors';
import { findForbiddenKey } from '../../http/forbidden-keys';
import type {
  ChannelAdapter,
  ChannelReply,
  InboundRequest,
  ItemOutcome,
  ParsedRequest,
  RejectedItem,
} from '../channel-adapter';
import { hashOf, type BoardPost, type BoardPostStatus } from './board-post';

const POST_ID = /^[\x21-\x7e]{1,128}$/;
const MAX_TITLE = 500;
const MAX_CONTENT = 50_000;
const MAX_REPLY = 20_000;
const MAX_REPLIES = 100;
const MAX_SHORT = 200;

/** A refused post, with its position and whatever ids it had. */
export type RejectedPost = RejectedItem & { index: number; board: string; postId: string };

/** One post's line in the response. */
export type BoardPostResult =
  | {
      board: string;
      postId: string;
      status: BoardPostStatus;
      petitionId: string;
      revision: number;
      newReplies: number;
    }
  | { board: string; postId: string; status: 'rejected'; code: string; message: string };

/**
 * Scrapers of public message boards (人民网「领导留言板」, city 网络问政 platforms) pushing what they
 * crawled, again and again, to `POST /channels/board/posts`.
 *
 * - `Authorization: Bearer <key>`; the config stores only SHA-256(key) per scraper, with the boards
 *   it may report on. No or unknown key → 401. A post for a board the key is not allowed → 403 for
 *   the whole request and nothing is published: that is a misconfigured scraper, which should fail
 *   loudly rather than have part of every batch silently dropped.
 * - Body `{ "posts": [ … ] }` (at most `board.maxBatch`), each `{ board, postId, url, title,
 *   content, author?, authorId?, postedAt, addressee?, region?, category?, replies?: [{ unit,
 *   repliedAt, text }] }`. Traditional characters, pinyin annotations and mojibake are taken as
 *   they are. `author` is the nickname shown, which many people share (喻女士): it stays in meta.
 *   `authorId` is the site's account id when the scraper can see it: it becomes the petitioner's
 *   account `<accountScope>:<authorId>`, so one account's reposts are one person's duplicates.
 *   The recipient is the board's configured `recipient`; `addressee` only goes into meta.
 * - Response 200 `{ "results": [ { board, postId, status, petitionId, revision, newReplies } |
 *   { board, postId, status: "rejected", code, message } ] }`, status one of accepted (new),
 *   updated (content changed: petition.updated), replied (only new official replies:
 *   petition.replied), unchanged (nothing published).
 *
 * The provider of a board record is the board's id, so idempotency keys read
 * `board:<board>:<postId>` (updates `#r<revision>`, replies `#reply-<hash>`).
 */
@Injectable()
export class BoardFeedAdapter implements ChannelAdapter {
  readonly route = 'board/posts';
  readonly channel = 'board' as const;
  readonly provider = 'board-feed';
  private readonly recipients: RecipientDirectory;
  private readonly boards: Map<string, BoardConfig>;
  private readonly scrapersByHash: Map<string, { id: string; boards: Set<string> }>;

  constructor(@Inject(CHANNELS_CONFIG) private readonly channels: ChannelsConfig) {
    this.recipients = new RecipientDirectory(channels);
    this.boards = new Map(channels.board.boards.map((b) => [b.id, b]));
    this.scrapersByHash = new Map(
      channels.board.scrapers.map((s) => [s.keyHash, { id: s.id, boards: new Set(s.boards) }]),
    );
  }

  /** Authenticates the scraper and checks every post's board against its allowance. */
  verify(request: InboundRequest): void {
    const key = bearerKey(request);
    if (!key)
      throw new ChannelAuthError('key-missing', 'Authorization: Bearer <key> is missing', 401);
    const scraper = this.scraperByKey(key);
    if (!scraper) throw new ChannelAuthError('key-unknown', 'unknown key', 401);
    // Only board names are checked here; a board that is not a string is that post's problem
    // (rejected `invalid-board` by `posts`), and is never serialised: it may be nested thousands
    // deep, and JSON.stringify of that overflows the stack.
    const forbidden = new Set<string>();
    for (const post of postsOfLenient(request.body)) {
      const board = (post as { board?: unknown } | null)?.board;
      if (typeof board === 'string' && !scraper.boards.has(board))
        forbidden.add(board.slice(0, 64));
    }
    if (forbidden.size > 0) {
      throw new ChannelAuthError(
        'board-forbidden',
        `this key may not report on: ${[...forbidden].slice(0, 10).join(', ')}`,
        403,
      );
    }
  }

  /** The id of the scraper whose key the request carries, or null (for its rate limit). */
  scraperOf(request: InboundRequest): string | null {
    const key = bearerKey(request);
    return key ? (this.scraperByKey(key)?.id ?? null) : null;
  }

  private scraperByKey(key: string): { id: string; boards: Set<string> } | undefined {
    // Only hashes are stored (a leaked config is no credential). The lookup is by SHA-256 of the
    // key: its timing can tell at most a prefix of a hash, which does not help find a key.
    return this.scrapersByHash.get(createHash('sha256').update(key).digest('hex'));
  }

  /** Interface form: every post as if new (received + its replies). The controller uses `posts`. */
  parse(request: InboundRequest): ParsedRequest {
    const { posts, rejected } = this.posts(request);
    return {
      items: posts.flatMap((p) => [
        p.draft,
        ...p.replies.map(({ hash, reply }) => ({
          ...p.draft,
          eventType: 'petition.replied' as const,
          idempotencyKey: `${p.key}#reply-${hash}`,
          petitionKey: p.key,
          reply,
        })),
      ]),
      rejected,
    };
  }

  /**
   * Pure: validates each post; a bad post is rejected with its reason, the others go on. A post
   * seen earlier in the same push (same board and postId) is either the same crawl twice
   * (identical: `same`, it shares the first one's result) or rejected `duplicate-in-batch`.
   */
  posts(request: InboundRequest): {
    posts: BoardPost[];
    rejected: RejectedPost[];
    same: { index: number; sameAs: number }[];
  } {
    const list = postsOf(request.body);
    if (list.length === 0) throw new ChannelRequestError('empty-batch', 'no posts');
    if (list.length > this.channels.board.maxBatch) {
      throw new ChannelRequestError(
        'batch-too-large',
        `at most ${this.channels.board.maxBatch} posts per request`,
        413,
      );
    }
    const posts: BoardPost[] = [];
    const rejected: RejectedPost[] = [];
    const same: { index: number; sameAs: number }[] = [];
    const seen = new Map<string, BoardPost>();
    list.forEach((raw, index) => {
      const result = this.parsePost(raw, index);
      const ids = idsOf(raw);
      if ('code' in result) {
        rejected.push({ ...result, ...ids, index });
        return;
      }
      const first = seen.get(result.ref);
      if (!first) {
        seen.set(result.ref, result);
        posts.push(result);
      } else if (sameContent(first, result)) {
        same.push({ index, sameAs: first.index });
      } else {
        rejected.push({
          ...ids,
          index,
          ref: result.ref,
          code: 'duplicate-in-batch',
          message: `another version of this post is in this batch (#${first.index})`,
        });
      }
    });
    return { posts, rejected, same };
  }

  private parsePost(raw: unknown, index: number): BoardPost | RejectedItem {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { ref: `#${index}`, code: 'invalid-post', message: 'a post must be an object' };
    }
    const p = raw as Record<string, unknown>;
    const forbidden = findForbiddenKey(p);
    if (forbidden !== null) {
      return {
        ref: `#${index}`,
        code: 'forbidden-field-name',
        message: `field name not allowed: ${forbidden.slice(0, 100)}`,
      };
    }
    if (typeof p.board !== 'string') {
      return { ref: `#${index}`, code: 'invalid-board', message: 'board must be a board id' };
    }
    const boardId = p.board;
    const board = this.boards.get(boardId);
    if (!board) return { ref: `#${index}`, code: 'unknown-board', message: 'unknown board' };
    // The JSON parser keeps integers beyond 2^53 as their digits; a number that still arrives is
    // exact only as a safe integer (…789 and …790 both became …800: one post's revision 2).
    if (typeof p.postId === 'number' && !Number.isSafeInteger(p.postId)) {
      return {
        ref: `#${index}`,
        code: 'unsafe-integer-id',
        message: 'a numeric postId must be an integer below 2^53; send larger ids as strings',
      };
    }
    const postId =
      typeof p.postId === 'string'
        ? p.postId
        : typeof p.postId === 'number'
          ? String(p.postId)
          : '';
    if (!POST_ID.test(postId)) {
      return {
        ref: `#${index}`,
        code: 'invalid-post-id',
        message: 'postId is missing or malformed',
      };
    }
    const ref = `${boardId}/${postId}`;
    const reject = (code: string, message: string): RejectedItem => ({ ref, code, message });
    const url = typeof p.url === 'string' ? p.url.trim() : '';
    if (!isHttpUrl(url)) return reject('invalid-url', 'url must be an http(s) URL');
    const title = optionalText(p.title, MAX_TITLE);
    if (title === undefined) return reject('invalid-title', `title must be text ≤ ${MAX_TITLE}`);
    if (typeof p.content !== 'string' || p.content.trim().length === 0) {
      return reject('missing-content', 'content is missing');
    }
    if (p.content.length > MAX_CONTENT) {
      return reject('content-too-long', `content exceeds ${MAX_CONTENT} characters`);
    }
    const postedAt = isoTime(p.postedAt);
    if (!postedAt) return reject('invalid-posted-at', 'postedAt must be an ISO 8601 time');
    const short: Record<string, string | null> = {};
    for (const field of ['author', 'addressee', 'region', 'category'] as const) {
      const v = optionalText(p[field], MAX_SHORT);
      if (v === undefined)
        return reject(`invalid-${field}`, `${field} must be text ≤ ${MAX_SHORT}`);
      short[field] = v;
    }
    const authorId = accountIdOf(p.authorId);
    if (authorId === undefined)
      return reject(
        'invalid-author-id',
        'authorId must be a string or number of 1–128 visible characters',
      );
    const replies: BoardPost['replies'] = [];
    if (p.replies !== undefined && p.replies !== null) {
      if (!Array.isArray(p.replies) || p.replies.length > MAX_REPLIES) {
        return reject('invalid-replies', `replies must be a list of at most ${MAX_REPLIES}`);
      }
      for (const r of p.replies as unknown[]) {
        const reply = replyOf(r);
        if (!reply) return reject('invalid-reply', 'each reply needs unit, repliedAt and text');
        replies.push({ hash: hashOf(reply.unit, reply.repliedAt, squash(reply.text)), reply });
      }
    }
    const addressee = short.addressee ?? null;
    // The recipient comes from the board's configuration only. `addressee` is what the page
    // shows, written by whoever posted (and relayed by the scraper): taking a recipient from it
    // let a key allowed one county's board address the municipal party secretary. It stays in meta.
    const recipient = board.recipient ? this.recipients.byRecipientId(board.recipient) : null;
    const meta = {
      boardId,
      boardName: board.name,
      postId,
      url,
      postedAt,
      addressee,
      region: short.region ?? null,
      category: short.category ?? null,
      authorNickname: short.author ?? null,
    };
    const key = `board:${boardId}:${postId}`;
    return {
      index,
      ref,
      board: boardId,
      postId,
      key,
      draft: {
        ref,
        idempotencyKey: key,
        channel: 'board',
        provider: boardId,
        recipient,
        // A board nickname is a pseudonym, not a name: it stays in meta. The account is one
        // person's, whatever nickname it shows.
        petitioner: {
          name: null,
          phone: null,
          email: null,
          idNumber: null,
          account: authorId === null ? null : `${board.accountScope ?? board.id}:${authorId}`,
        },
        subject: title,
        text: p.content,
        attachments: [],
        meta,
      },
      hashes: {
        subject: hashOf(title === null ? null : squash(title)),
        body: hashOf(squash(p.content)),
        recipient: hashOf(recipient?.id, addressee),
        meta: hashOf(url, postedAt, meta.region, meta.category, meta.authorNickname),
      },
      replies,
    };
  }

  reply(outcomes: ItemOutcome[]): ChannelReply {
    return json({ results: outcomes });
  }

  /** The response the controller sends, one line per post in request order. */
  replyPosts(results: BoardPostResult[]): ChannelReply {
    return json({ results });
  }
}

function json(body: unknown): ChannelReply {
  return {
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(body),
  };
}

function header(request: InboundRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function bearerKey(request: InboundRequest): string | undefined {
  const auth = header(request, 'authorization') ?? '';
  return /^Bearer\s+(\S{8,512})\s*$/i.exec(auth)?.[1];
}

function postsOf(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null) {
    throw new ChannelRequestError('invalid-body', 'expected a JSON object', 415);
  }
  if (Array.isArray(body)) return body;
  const posts = (body as { posts?: unknown }).posts;
  if (!Array.isArray(posts)) throw new ChannelRequestError('invalid-body', 'posts must be a list');
  return posts;
}

function idsOf(raw: unknown): { board: string; postId: string } {
  const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const text = (v: unknown): string =>
    typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 128) : '';
  return { board: text(p.board), postId: text(p.postId) };
}

/** Two versions of one post are the same crawl when every field compared for changes agrees. */
function sameContent(a: BoardPost, b: BoardPost): boolean {
  const replies = (p: BoardPost) => p.replies.map((r) => r.hash).join(',');
  return (
    a.hashes.subject === b.hashes.subject &&
    a.hashes.body === b.hashes.body &&
    a.hashes.recipient === b.hashes.recipient &&
    a.hashes.meta === b.hashes.meta &&
    a.draft.petitioner.account === b.draft.petitioner.account &&
    replies(a) === replies(b)
  );
}

function postsOfLenient(body: unknown): unknown[] {
  try {
    return postsOf(body);
  } catch {
    return [];
  }
}

/** Whitespace-insensitive form for change detection: a re-crawl that reflows text is no edit. */
function squash(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Text, null when absent or blank, undefined when malformed or too long. */
function optionalText(v: unknown, max: number): string | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > max) return undefined;
  const t = v.trim();
  return t.length > 0 ? t : null;
}

/** Visible characters, no spaces or controls: a platform's user id, numeric or not. */
const ACCOUNT_ID = /^[^\s\p{C}]{1,128}$/u;

/** An account id, null when absent, undefined when malformed (a safe integer is taken as text). */
function accountIdOf(v: unknown): string | null | undefined {
  if (v === undefined || v === null || v === '') return null;
  const id = typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : v;
  return typeof id === 'string' && ACCOUNT_ID.test(id) ? id : undefined;
}

/** ISO time; a time without zone is Beijing time (what Chinese boards display). */
function isoTime(v: unknown): string | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v)) return null;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v}+08:00`;
  const ms = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function isHttpUrl(v: string): boolean {
  if (v.length > 2048) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function replyOf(r: unknown): NonNullable<BoardPost['replies'][number]['reply']> | null {
  if (typeof r !== 'object' || r === null) return null;
  const { unit, repliedAt, text } = r as Record<string, unknown>;
  const at = isoTime(repliedAt);
  if (typeof unit !== 'string' || !unit.trim() || unit.length > MAX_SHORT || !at) return null;
  if (typeof text !== 'string' || !text.trim() || text.length > MAX_REPLY) return null;
  return { unit: unit.trim(), repliedAt: at, text };
}
