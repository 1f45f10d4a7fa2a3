import { loadChannelsConfig } from '@app/config';
import { join } from 'node:path';
import {
  MAYOR_KEY,
  OFFICIAL_REPLY,
  PEOPLE_KEY,
  TRADITIONAL_CONTENT,
  boardPost,
} from '../../../../../test/fixtures/board/posts';
import type { InboundRequest } from '../channel-adapter';
import { BoardFeedAdapter } from './board-feed.adapter';
import { planPost, type BoardPost } from './board-post';

const channels = loadChannelsConfig(
  join(__dirname, '../../../../../test/fixtures/board/channels.yaml'),
);
const adapter = new BoardFeedAdapter(channels);

function request(body: unknown, key: string | null = PEOPLE_KEY): InboundRequest {
  return {
    method: 'POST',
    path: '/channels/board/posts',
    publicBaseUrl: 'https://petitions.example.gov.cn',
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
    rawBody: Buffer.from(JSON.stringify(body)),
    body,
    clientIp: '127.0.0.1',
  };
}

function onePost(overrides: Record<string, unknown> = {}): BoardPost {
  const { posts, rejected } = adapter.posts(request({ posts: [boardPost(overrides)] }));
  expect(rejected).toEqual([]);
  return posts[0]!;
}

describe('BoardFeedAdapter', () => {
  describe('verify', () => {
    it.each<[string, InboundRequest, string | null, number]>([
      ['a known key for its own board', request({ posts: [boardPost()] }), null, 0],
      [
        'a bearer scheme in lower case',
        {
          ...request({ posts: [boardPost()] }),
          headers: { authorization: `bearer ${PEOPLE_KEY}` },
        },
        null,
        0,
      ],
      ['no Authorization header', request({ posts: [boardPost()] }, null), 'key-missing', 401],
      [
        'a Basic Authorization header',
        { ...request({ posts: [boardPost()] }), headers: { authorization: 'Basic dXNlcjpwYXNz' } },
        'key-missing',
        401,
      ],
      [
        'an unknown key',
        request({ posts: [boardPost()] }, 'not-a-known-key-at-all'),
        'key-unknown',
        401,
      ],
      [
        'a key whose hash is stored, given as the hash',
        request({ posts: [boardPost()] }, channels.board.scrapers[0]!.keyHash),
        'key-unknown',
        401,
      ],
      [
        'a board the key is not allowed',
        request({ posts: [boardPost(), boardPost({ board: 'people-cq-mayor', postId: '2' })] }),
        'board-forbidden',
        403,
      ],
      [
        'an unknown board',
        request({ posts: [boardPost({ board: 'elsewhere' })] }),
        'board-forbidden',
        403,
      ],
      [
        'the other key on its own board',
        request({ posts: [boardPost({ board: 'people-cq-mayor' })] }, MAYOR_KEY),
        null,
        0,
      ],
    ])('%s', (_name, req, code, status) => {
      const run = () => adapter.verify(req);
      if (code === null) expect(run).not.toThrow();
      else expect(run).toThrow(expect.objectContaining({ code, status }) as Error);
    });
  });

  describe('posts', () => {
    it('turns a post into a petition addressed to the leader it names', () => {
      const post = onePost();
      expect(post.key).toBe('board:people-cq-party-secretary:100001');
      expect(post.draft).toEqual({
        ref: 'people-cq-party-secretary/100001',
        idempotencyKey: 'board:people-cq-party-secretary:100001',
        channel: 'board',
        provider: 'people-cq-party-secretary',
        recipient: {
          id: 'chongqing-party-secretary',
          name: '重庆市委书记',
          kind: 'leader',
          county: null,
        },
        petitioner: { name: null, phone: null, email: null, idNumber: null, account: null },
        subject: boardPost().title,
        text: boardPost().content,
        attachments: [],
        meta: {
          boardId: 'people-cq-party-secretary',
          boardName: '人民网领导留言板·重庆市委书记',
          postId: '100001',
          url: boardPost().url,
          // A time without zone is Beijing time.
          postedAt: '2023-01-03T13:15:00.000Z',
          addressee: '重庆市委书记',
          region: '重庆市渝中区',
          category: '城建',
          authorNickname: '化龙桥居民',
        },
      });
    });

    // Issue 24: a key allowed only one board set `addressee: 重庆市委书记` and the event's
    // recipient became the party secretary. The board's configuration alone decides.
    it.each<[string, Record<string, unknown>, string]>([
      ['another leader on this board', { addressee: '重庆市市长' }, 'chongqing-party-secretary'],
      ['no configured recipient', { addressee: '某区长' }, 'chongqing-party-secretary'],
      ['no addressee', { addressee: undefined }, 'chongqing-party-secretary'],
      [
        'the party secretary, on a county board',
        { board: 'fengjie-wlwz', addressee: '重庆市委书记' },
        'fengjie-petition-office',
      ],
    ])('addresses a post to its board’s recipient, whatever its addressee: %s', (_n, o, id) => {
      const post = onePost(o);
      expect(post.draft.recipient?.id).toBe(id);
      expect(post.draft.meta.addressee).toBe((o.addressee as string | undefined) ?? null);
    });

    it("makes the author's account id the petitioner's account, scoped to the site's accounts", () => {
      const secretary = onePost({ author: '喻女士', authorId: 'A00047580' });
      expect(secretary.draft.petitioner).toMatchObject({
        name: null,
        account: 'people-cn:A00047580',
      });
      // Another board of the same site: the same account.
      const mayor = adapter.posts(
        request(
          { posts: [boardPost({ board: 'people-cq-mayor', authorId: 'A00047580' })] },
          MAYOR_KEY,
        ),
      ).posts[0];
      expect(mayor?.draft.petitioner.account).toBe('people-cn:A00047580');
      // A board without accountScope is its own scope; a numeric id is taken as text.
      const fengjie = onePost({ board: 'fengjie-wlwz', authorId: 1024 });
      expect(fengjie.draft.petitioner.account).toBe('fengjie-wlwz:1024');
      // The nickname alone links nobody: many people show as 喻女士.
      expect(onePost({ author: '喻女士' }).draft.petitioner.account).toBeNull();
    });

    it('takes Traditional characters, pinyin glosses and full-width punctuation as they are', () => {
      const content = `${TRADITIONAL_CONTENT}人民網(wǎng)！？`;
      const post = onePost({
        content,
        title: '奉節縣農民工欠薪問題',
        author: '喻女士',
        region: '奉節縣',
      });
      expect(post.draft.text).toBe(content);
      expect(post.draft.subject).toBe('奉節縣農民工欠薪問題');
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['no postId', { postId: undefined }, 'invalid-post-id'],
      ['a postId with spaces', { postId: 'a b' }, 'invalid-post-id'],
      ['a javascript: URL', { url: 'javascript:alert(1)' }, 'invalid-url'],
      ['no URL', { url: undefined }, 'invalid-url'],
      ['no content', { content: '  ' }, 'missing-content'],
      ['content over 50,000 characters', { content: '字'.repeat(50_001) }, 'content-too-long'],
      ['a title over 500 characters', { title: '题'.repeat(501) }, 'invalid-title'],
      ['a malformed posted time', { postedAt: '昨天' }, 'invalid-posted-at'],
      ['an author that is not text', { author: 42 }, 'invalid-author'],
      ['an author id with a space', { authorId: 'A 1' }, 'invalid-author-id'],
      ['an author id that is an object', { authorId: { id: 1 } }, 'invalid-author-id'],
      ['an author id over 128 characters', { authorId: 'a'.repeat(129) }, 'invalid-author-id'],
      ['a negative numeric author id', { authorId: -5 }, 'invalid-author-id'],
      ['replies that are not a list', { replies: {} }, 'invalid-replies'],
      ['a reply without unit', { replies: [{ ...OFFICIAL_REPLY, unit: '' }] }, 'invalid-reply'],
      [
        'a reply with a malformed time',
        { replies: [{ ...OFFICIAL_REPLY, repliedAt: 'soon' }] },
        'invalid-reply',
      ],
      // Issue 24: …789 and …790 both became …800, and the second was published as revision 2.
      ['a postId beyond 2^53 as a number', { postId: 2 ** 60 + 1 }, 'unsafe-integer-id'],
      ['a fractional postId', { postId: 1.5 }, 'unsafe-integer-id'],
      // Issue 24: prototype keys are kept as own properties by the JSON parser, refused per post.
      [
        'a __proto__ key',
        JSON.parse('{"__proto__":{"x":1}}') as Record<string, unknown>,
        'forbidden-field-name',
      ],
      [
        'a constructor.prototype key',
        { constructor: { prototype: { x: 1 } } },
        'forbidden-field-name',
      ],
      [
        'a __proto__ key in a reply',
        { replies: [JSON.parse('{"__proto__":{"x":1}}')] },
        'forbidden-field-name',
      ],
    ])('rejects a post with %s (%s) and keeps the others', (_name, overrides, code) => {
      const { posts, rejected } = adapter.posts(
        request({
          posts: [boardPost({ postId: 'good' }), boardPost({ postId: 'bad', ...overrides })],
        }),
      );
      expect(posts.map((p) => p.postId)).toEqual(['good']);
      expect(rejected).toEqual([expect.objectContaining({ code, index: 1 })]);
    });

    it('keeps postIds beyond 2^53 exact when they arrive as digits (two posts stay two)', () => {
      const { posts, rejected } = adapter.posts(
        request({
          posts: [
            boardPost({ postId: '1234567890124341789' }),
            boardPost({ postId: '1234567890124341790', content: '另一条留言：路灯坏了。' }),
          ],
        }),
      );
      expect(rejected).toEqual([]);
      expect(posts.map((p) => p.key)).toEqual([
        'board:people-cq-party-secretary:1234567890124341789',
        'board:people-cq-party-secretary:1234567890124341790',
      ]);
    });

    it('refuses a board nested 5,000 deep as that post alone, without serialising it', () => {
      let deep: unknown = 'people-cq-party-secretary';
      for (let i = 0; i < 5000; i++) deep = { b: deep };
      // Built around the body: the test itself must not stringify it either.
      const body = { posts: [boardPost({ postId: 'good' }), boardPost({ board: deep })] };
      const req = { ...request({}), body };
      expect(() => adapter.verify(req)).not.toThrow();
      const { posts, rejected } = adapter.posts(req);
      expect(posts.map((p) => p.postId)).toEqual(['good']);
      expect(rejected).toEqual([expect.objectContaining({ code: 'invalid-board', index: 1 })]);
    });

    it('takes the same crawl of a post twice in one batch as one, another version as a conflict', () => {
      const edited = boardPost({ content: '改过的内容：工地夜间施工噪音扰民。' });
      const { posts, rejected, same } = adapter.posts(
        request({ posts: [boardPost(), boardPost(), edited] }),
      );
      expect(posts).toHaveLength(1);
      expect(same).toEqual([{ index: 1, sameAs: 0 }]);
      expect(rejected).toEqual([expect.objectContaining({ code: 'duplicate-in-batch', index: 2 })]);
    });

    it.each([
      ['an empty batch', { posts: [] }, 'empty-batch', 400],
      [
        'more than maxBatch (4) posts',
        { posts: [1, 2, 3, 4, 5].map((i) => boardPost({ postId: String(i) })) },
        'batch-too-large',
        413,
      ],
      ['no posts list', { post: boardPost() }, 'invalid-body', 400],
    ])('refuses %s as a whole', (_name, body, code, status) => {
      expect(() => adapter.posts(request(body))).toThrow(
        expect.objectContaining({ code, status }) as Error,
      );
    });
  });

  describe('planPost against stored state', () => {
    const first = planPost(onePost({ replies: [] }), undefined);

    it('publishes a new post once as petition.received, revision 1', () => {
      expect(first).toMatchObject({ status: 'accepted', revision: 1, newReplies: 0 });
      expect(first.drafts.map((d) => [d.eventType, d.idempotencyKey])).toEqual([
        [undefined, 'board:people-cq-party-secretary:100001'],
      ]);
    });

    it('publishes nothing for the same post crawled again, even reflowed', () => {
      const again = planPost(
        onePost({ content: `  ${String(boardPost().content)}\n` }),
        first.next,
      );
      expect(again).toMatchObject({ status: 'unchanged', drafts: [], revision: 1 });
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      [
        'an edited text',
        { content: `${String(boardPost().content)}补充：今晚又施工到三点。` },
        ['body'],
      ],
      ['an edited title', { title: '工地夜间施工噪音扰民（补充）' }, ['subject']],
      ['another addressee', { addressee: '重庆市市长' }, ['recipient']],
      ['a new category', { category: '环保' }, ['meta']],
      [
        'title and text edited',
        { title: '新标题', content: '完全重写的留言内容，仍然是关于夜间施工噪音的问题。' },
        ['subject', 'body'],
      ],
    ])('publishes petition.updated, revision 2, for %s', (_name, overrides, changedFields) => {
      const post = onePost(overrides);
      const plan = planPost(post, first.next);
      expect(plan).toMatchObject({ status: 'updated', revision: 2 });
      expect(plan.drafts).toEqual([
        expect.objectContaining({
          eventType: 'petition.updated',
          revision: 2,
          idempotencyKey: 'board:people-cq-party-secretary:100001#r2',
          petitionKey: 'board:people-cq-party-secretary:100001',
          update: { changedFields, previousRevision: 1 },
          text: post.draft.text,
        }),
      ]);
      const third = planPost(onePost({ ...overrides, postedAt: '2023-01-05 08:00' }), plan.next);
      expect(third.drafts[0]).toMatchObject({ revision: 3, update: { previousRevision: 2 } });
    });

    it('publishes petition.replied once per new official reply', () => {
      const replied = planPost(onePost({ replies: [OFFICIAL_REPLY] }), first.next);
      expect(replied).toMatchObject({ status: 'replied', revision: 1, newReplies: 1 });
      expect(replied.drafts).toEqual([
        expect.objectContaining({
          eventType: 'petition.replied',
          petitionKey: 'board:people-cq-party-secretary:100001',
          idempotencyKey: expect.stringMatching(
            /^board:people-cq-party-secretary:100001#reply-[0-9a-f]{32}$/,
          ),
          reply: {
            unit: OFFICIAL_REPLY.unit,
            repliedAt: '2023-01-04T02:00:00.000Z',
            text: OFFICIAL_REPLY.text,
          },
        }),
      ]);
      expect(planPost(onePost({ replies: [OFFICIAL_REPLY] }), replied.next)).toMatchObject({
        status: 'unchanged',
        drafts: [],
      });
      const second = {
        ...OFFICIAL_REPLY,
        repliedAt: '2023-01-10 09:00',
        text: '经复查，施工单位已整改到位。',
      };
      const more = planPost(onePost({ replies: [OFFICIAL_REPLY, second] }), replied.next);
      expect(more).toMatchObject({ status: 'replied', newReplies: 1 });
      expect(more.drafts[0]?.reply?.text).toBe(second.text);
    });

    it('publishes the post and the replies it already has when first seen', () => {
      const plan = planPost(onePost({ replies: [OFFICIAL_REPLY] }), undefined);
      expect(plan.status).toBe('accepted');
      expect(plan.drafts.map((d) => d.eventType ?? 'petition.received')).toEqual([
        'petition.received',
        'petition.replied',
      ]);
    });

    it('reports an edit and a new reply together as updated with the reply counted', () => {
      const plan = planPost(onePost({ title: '新标题', replies: [OFFICIAL_REPLY] }), first.next);
      expect(plan).toMatchObject({ status: 'updated', revision: 2, newReplies: 1 });
      expect(plan.drafts.map((d) => [d.eventType, d.revision])).toEqual([
        ['petition.updated', 2],
        ['petition.replied', 2],
      ]);
    });
  });
});
