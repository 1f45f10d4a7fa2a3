import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { loadChannelsConfig } from '@app/config';
import { topicNames, type RawPetition } from '@app/contracts';
import type { OutboundRecord, RecordSink } from '@app/kafka';
import { OFFICIAL_REPLY, PEOPLE_KEY, boardPost } from '../../../../../test/fixtures/board/posts';
import { loadGatewayEnv } from '../../config/gateway.env';
import { NotDurableError } from '../../http/channel-errors';
import { IntakeService } from '../../intake/intake.service';
import { BoardFeedAdapter } from './board-feed.adapter';
import { BoardFeedController } from './board-feed.controller';
import { BoardPostStore } from './board-post.store';

const channels = loadChannelsConfig(
  join(__dirname, '../../../../../test/fixtures/board/channels.yaml'),
);

/** A record sink that keeps what it is given, or fails like an unreachable broker. */
class MemorySink implements RecordSink {
  readonly records: OutboundRecord[] = [];
  failing = false;
  publish(record: OutboundRecord): Promise<void> {
    if (this.failing) return Promise.reject(new Error('broker unreachable'));
    this.records.push(record);
    return Promise.resolve();
  }
  raws(): RawPetition[] {
    return this.records.map((r) => JSON.parse(String(r.value)) as RawPetition);
  }
}

/** The controller with its real adapter, LMDB store and intake, over an in-memory Kafka stand-in. */
describe('BoardFeedController (state advances only after a durable publish)', () => {
  let dir: string;
  let store: BoardPostStore;
  let sink: MemorySink;
  let controller: BoardFeedController;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'board-state-'));
    const env = loadGatewayEnv({ KAFKA_BROKERS: '127.0.0.1:1', GATEWAY_STATE_DIR: dir });
    store = new BoardPostStore(env);
    sink = new MemorySink();
    const intake = new IntakeService(
      sink,
      topicNames(''),
      new PinoLogger({ pinoHttp: { level: 'silent' } }),
    );
    controller = new BoardFeedController(new BoardFeedAdapter(channels), store, intake, env);
  });

  afterEach(async () => {
    await store.onModuleDestroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function push(
    posts: Record<string, unknown>[],
  ): Promise<{ status: number; results: Record<string, unknown>[] }> {
    const body = { posts };
    const req = {
      id: 'req-1',
      method: 'POST',
      url: '/channels/board/posts',
      protocol: 'http',
      host: 'localhost',
      ip: '127.0.0.1',
      headers: { authorization: `Bearer ${PEOPLE_KEY}` },
      rawBody: Buffer.from(JSON.stringify(body)),
      body,
    } as unknown as FastifyRequest;
    let status = 0;
    let sent = '';
    const res = {
      status(code: number) {
        status = code;
        return res;
      },
      header() {
        return res;
      },
      send(payload: string) {
        sent = payload;
        return Promise.resolve(res);
      },
    } as unknown as FastifyReply;
    await controller.receive(req, res);
    return {
      status,
      results: (JSON.parse(sent) as { results: Record<string, unknown>[] }).results,
    };
  }

  it('does not lose an edit when Kafka is down: the next push publishes revision 2', async () => {
    expect((await push([boardPost()])).results[0]).toMatchObject({
      status: 'accepted',
      revision: 1,
    });
    const edited = boardPost({
      content: `${String(boardPost().content)}补充：昨晚又施工到凌晨三点。`,
    });
    sink.failing = true;
    await expect(push([edited])).rejects.toBeInstanceOf(NotDurableError);
    expect(store.get('board:people-cq-party-secretary:100001')?.revision).toBe(1);
    sink.failing = false;
    const { results } = await push([edited]);
    expect(results[0]).toMatchObject({ status: 'updated', revision: 2, newReplies: 0 });
    expect(sink.raws().map((r) => [r.eventType, r.revision, r.idempotencyKey])).toEqual([
      ['petition.received', 1, 'board:people-cq-party-secretary:100001'],
      ['petition.updated', 2, 'board:people-cq-party-secretary:100001#r2'],
    ]);
  });

  it('answers per post in request order, rejected ones at their place', async () => {
    const { status, results } = await push([
      boardPost({ postId: 'a', replies: [OFFICIAL_REPLY] }),
      boardPost({ postId: 'b', url: 'ftp://x' }),
      boardPost({ postId: 'c' }),
    ]);
    expect(status).toBe(200);
    expect(results.map((r) => [r.postId, r.status, r.code ?? r.newReplies])).toEqual([
      ['a', 'accepted', 1],
      ['b', 'rejected', 'invalid-url'],
      ['c', 'accepted', 0],
    ]);
    const again = await push([
      boardPost({ postId: 'a', replies: [OFFICIAL_REPLY] }),
      boardPost({ postId: 'c' }),
    ]);
    expect(again.results.map((r) => r.status)).toEqual(['unchanged', 'unchanged']);
    expect(sink.records).toHaveLength(3);
    expect(new Set(sink.raws().map((r) => r.petitionId)).size).toBe(2);
  });
});
