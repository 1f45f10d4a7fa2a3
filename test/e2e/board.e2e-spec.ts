import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { petitionEventProblems, type PetitionEvent } from '@app/contracts';
import { readJsonl, repoPath, startStack, type Stack } from '@app/testing';
import {
  MAYOR_KEY,
  OFFICIAL_REPLY,
  PEOPLE_KEY,
  TRADITIONAL_CONTENT,
  boardPost,
} from '../fixtures/board/posts';

interface Message {
  id: string;
  title: string;
  text: string;
  user: string;
  time_iso: string;
}

/**
 * Groups of identical real messages (exact_duplicate_groups.jsonl over messages_with_likes.jsonl,
 * read at run time), split by whether one account posted them all or several did, oldest first.
 */
function realRepostGroups(): { oneAccount: Message[][]; severalAccounts: Message[][] } {
  const byId = new Map(readJsonl<Message>('messages_with_likes.jsonl').map((m) => [m.id, m]));
  const groups = new Map<string, Message[]>();
  for (const d of readJsonl<{ table: string; id: string; dup_group: string }>(
    'exact_duplicate_groups.jsonl',
  )) {
    const m = d.table === 'attachment3' ? byId.get(d.id) : undefined;
    if (m) groups.set(d.dup_group, [...(groups.get(d.dup_group) ?? []), m]);
  }
  const all = [...groups.values()]
    .filter((g) => g.length >= 2)
    .map((g) => g.sort((a, b) => a.time_iso.localeCompare(b.time_iso)));
  const accounts = (g: Message[]) => new Set(g.map((m) => m.user)).size;
  return {
    oneAccount: all.filter((g) => accounts(g) === 1),
    severalAccounts: all.filter((g) => accounts(g) === g.length),
  };
}

interface PostResult {
  board: string;
  postId: string;
  status: string;
  petitionId?: string;
  revision?: number;
  newReplies?: number;
  code?: string;
}

/** Board scrapers pushing the same posts again and again, through the real stack and broker. */
describe('message-board feeds, end to end', () => {
  let stack: Stack;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'gateway-state-'));
    stack = await startStack({
      gatewayEnv: {
        CHANNELS_CONFIG: repoPath('test/fixtures/board/channels.yaml'),
        GATEWAY_STATE_DIR: stateDir,
      },
    });
  });

  afterAll(async () => {
    await stack.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function push(
    posts: unknown[],
    key = PEOPLE_KEY,
  ): Promise<{ status: number; results: PostResult[]; error?: { code: string } }> {
    const res = await fetch(`${stack.url}/channels/board/posts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ posts }),
    });
    const json = (await res.json()) as { results?: PostResult[]; error?: { code: string } };
    return { status: res.status, results: json.results ?? [], error: json.error };
  }

  function eventsFor(petitionId: string | undefined): PetitionEvent[] {
    return stack.events.json<PetitionEvent>().filter((e) => e.petitionId === petitionId);
  }

  it('follows one post through received, unchanged, updated and replied', async () => {
    const post = boardPost({ postId: 'life-1' });
    const first = await push([post]);
    expect(first.status).toBe(200);
    expect(first.results[0]).toMatchObject({ status: 'accepted', revision: 1 });
    const petitionId = first.results[0]?.petitionId;

    expect((await push([post])).results[0]).toMatchObject({ status: 'unchanged', petitionId });

    const edited = { ...post, content: `${String(post.content)}补充：昨晚又施工到凌晨三点。` };
    expect((await push([edited])).results[0]).toMatchObject({
      status: 'updated',
      revision: 2,
      petitionId,
    });
    expect((await push([edited])).results[0]).toMatchObject({ status: 'unchanged', revision: 2 });

    const answered = { ...edited, replies: [OFFICIAL_REPLY] };
    expect((await push([answered])).results[0]).toMatchObject({
      status: 'replied',
      newReplies: 1,
      petitionId,
    });
    expect((await push([answered])).results[0]).toMatchObject({ status: 'unchanged' });

    await stack.events.waitFor(() => eventsFor(petitionId).length >= 3);
    await stack.events.settle();
    const events = eventsFor(petitionId);
    expect(events.map((e) => [e.eventType, e.revision])).toEqual([
      ['petition.received', 1],
      ['petition.updated', 2],
      ['petition.replied', 2],
    ]);
    for (const e of events) expect(petitionEventProblems(e)).toEqual([]);
    expect(events[0]).toMatchObject({
      channel: 'board',
      provider: 'people-cq-party-secretary',
      recipient: { id: 'chongqing-party-secretary' },
      subject: post.title,
      meta: { postId: 'life-1', url: post.url },
      update: null,
      reply: null,
    });
    expect(events[1]).toMatchObject({
      original: edited.content,
      update: { changedFields: ['body'], previousRevision: 1 },
    });
    expect(events[2]?.reply).toEqual({
      unit: OFFICIAL_REPLY.unit,
      repliedAt: '2023-01-04T02:00:00.000Z',
      text: OFFICIAL_REPLY.text,
    });
    // Keyed by tracking number: one partition, so consumers see the lifecycle in order.
    expect(
      new Set(stack.events.records.filter((r) => r.key === petitionId).map((r) => r.partition))
        .size,
    ).toBe(1);
  });

  it('accepts Traditional-character posts and reports a bad post without failing the batch', async () => {
    const { status, results } = await push([
      boardPost({
        board: 'fengjie-wlwz',
        postId: 'tw-1',
        title: '奉節縣農民工欠薪',
        content: TRADITIONAL_CONTENT,
        addressee: null,
      }),
      boardPost({ postId: 'bad-1', postedAt: '上週' }),
    ]);
    expect(status).toBe(200);
    expect(results.map((r) => [r.postId, r.status, r.code])).toEqual([
      ['tw-1', 'accepted', undefined],
      ['bad-1', 'rejected', 'invalid-posted-at'],
    ]);
    const petitionId = results[0]?.petitionId;
    await stack.events.waitFor(() => eventsFor(petitionId).length > 0);
    const [event] = eventsFor(petitionId);
    expect(petitionEventProblems(event)).toEqual([]);
    expect(event).toMatchObject({
      original: TRADITIONAL_CONTENT,
      recipient: { id: 'fengjie-petition-office' },
    });
  });

  it.each([
    ['no key', '', 401, 'key-missing'],
    ['an unknown key', 'an-unknown-scraper-key', 401, 'key-unknown'],
    ['a key not allowed that board', MAYOR_KEY, 403, 'board-forbidden'],
  ])('refuses %s and publishes nothing', async (_name, key, status, code) => {
    const postId = `refused-${code}`;
    const res = await push([boardPost({ postId })], key);
    expect(res.status).toBe(status);
    expect(res.error?.code).toBe(code);
    const ok = await push([boardPost({ postId: `${postId}-ok` })]);
    await stack.events.waitFor(() => eventsFor(ok.results[0]?.petitionId).length > 0);
    expect(stack.events.json<PetitionEvent>().some((e) => e.meta.postId === postId)).toBe(false);
  });

  it("marks one account's real reposts as its duplicates across the site's boards, not other accounts' copies", async () => {
    const { oneAccount, severalAccounts } = realRepostGroups();
    const cases = [
      ...oneAccount.slice(0, 4).map((g) => ({ g, oneAccount: true })),
      ...severalAccounts.slice(0, 3).map((g) => ({ g, oneAccount: false })),
    ];
    expect(cases.length).toBe(7);
    let n = 0;
    const petitionIds: string[][] = [];
    for (const { g } of cases) {
      const ids: string[] = [];
      for (const m of g) {
        // Alternate the two 人民网 boards (one accountScope), each pushed by its own scraper; every
        // post shows one shared nickname, which must link nobody.
        const mayor = ++n % 2 === 0;
        const { results } = await push(
          [
            boardPost({
              board: mayor ? 'people-cq-mayor' : 'people-cq-party-secretary',
              postId: `repost-${m.id}`,
              url: `https://liuyan.people.com.cn/threads/content?tid=${m.id}`,
              title: m.title,
              content: m.text,
              author: '网友',
              authorId: m.user,
              postedAt: m.time_iso,
              addressee: null,
            }),
          ],
          mayor ? MAYOR_KEY : PEOPLE_KEY,
        );
        expect(results[0]).toMatchObject({ status: 'accepted' });
        ids.push(results[0]?.petitionId ?? '');
      }
      petitionIds.push(ids);
    }
    const all = petitionIds.flat();
    await stack.events.waitFor(() => all.every((id) => eventsFor(id).length > 0));
    // Partitions judge in any order: whichever copy was judged first is the original.
    cases.forEach(({ oneAccount }, i) => {
      const events = (petitionIds[i] ?? []).map((id) => eventsFor(id)[0] as PetitionEvent);
      for (const e of events) expect(petitionEventProblems(e)).toEqual([]);
      const originals = events.filter((e) => e.dedup?.outcome === 'new');
      expect(events.every((e) => !e.petitioner.anonymous)).toBe(true);
      if (oneAccount) {
        expect(originals).toHaveLength(1);
        const [original] = originals;
        for (const e of events.filter((x) => x !== original)) {
          expect(e.dedup).toMatchObject({ outcome: 'duplicate', of: original?.petitionId });
          expect(e.petitioner.identityKey).toBe(original?.petitioner.identityKey);
        }
      } else {
        // Several people posting one text is one issue, never one person's duplicate.
        expect(originals).toHaveLength(events.length);
        expect(new Set(events.map((e) => e.dedup?.clusterId)).size).toBe(1);
      }
    });
  });
});
