import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PinoLogger } from 'nestjs-pino';
import { loadChannelsConfig } from '@app/config';
import { topicNames, type RawPetition } from '@app/contracts';
import type { OutboundRecord, RecordSink } from '@app/kafka';
import {
  SMS_GATEWAY_TEST_SECRET,
  gatewayHeaders,
  splitIntoParts,
} from '../../../../../../test/fixtures/sms-gateway/push';
import { loadGatewayEnv, type GatewayEnv } from '../../../config/gateway.env';
import { IntakeService } from '../../../intake/intake.service';
import type { PetitionDraft } from '../../channel-adapter';
import { SmsGatewayAdapter, segmentOf } from './sms-gateway.adapter';
import { SegmentConflict, SmsSegmentStore, assembleSegments } from './sms-segment.store';
import { SmsSegmentSweeper } from './sms-segment.sweeper';
import { LmdbGatewayState } from '../../../state/lmdb-gateway-state';

const channels = loadChannelsConfig(
  join(__dirname, '../../../../../../test/fixtures/sms-gateway/channels.yaml'),
);
const TEXT =
  '县长您好：我是忠县忠州街道的居民，我们小区旁边的工地每天晚上施工到凌晨两点，噪音非常大，家里老人孩子根本睡不着。';
const T0 = Date.parse('2024-05-06T01:30:00Z');
const TIMEOUT = 60_000;

/** Parts parsed by the real adapter, so the store sees exactly what the controller gives it. */
function parts(id: string, ref: number, total: number, text = TEXT): PetitionDraft[] {
  const body = { messages: splitIntoParts(text, total, { id, ref }) };
  const raw = JSON.stringify(body);
  const env = loadGatewayEnv({ KAFKA_BROKERS: '127.0.0.1:1', SMS_GATEWAY_TEST_SECRET });
  return new SmsGatewayAdapter(env, channels).parse({
    method: 'POST',
    path: '/channels/sms/gateway',
    publicBaseUrl: 'http://localhost',
    headers: gatewayHeaders(raw),
    rawBody: Buffer.from(raw),
    body,
    clientIp: '127.0.0.1',
  }).items;
}

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

describe('SmsSegmentStore', () => {
  let dir: string;
  let env: GatewayEnv;
  let store: SmsSegmentStore;
  let state: LmdbGatewayState;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sms-segments-'));
    env = loadGatewayEnv({ KAFKA_BROKERS: '127.0.0.1:1', GATEWAY_STATE_DIR: dir });
    state = new LmdbGatewayState(dir);
    store = new SmsSegmentStore(state);
  });

  afterEach(async () => {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function add(draft: PetitionDraft, at = T0) {
    const segment = segmentOf(draft);
    if (!segment) throw new Error('not a segment');
    return store.add(draft, segment, at, TIMEOUT);
  }

  it('completes a group from parts in any order and assembles them in part order', async () => {
    const [p1, p2, p3] = parts('m', 9, 3);
    const r3 = await add(p3!);
    const r1 = await add(p1!);
    expect(r3.complete).toBeNull();
    expect(r1.complete).toBeNull();
    expect(r1.petitionId).toBe(r3.petitionId);
    const r2 = await add(p2!);
    expect(r2.petitionId).toBe(r1.petitionId);
    const draft = assembleSegments(r2.complete!);
    expect(draft.text).toBe(TEXT);
    expect(draft.idempotencyKey).toMatch(/^sms:gateway:test-modem:concat:[0-9a-f]{32}:1$/);
    expect(draft.meta).toMatchObject({
      providerMessageIds: 'm-1,m-2,m-3',
      partsTotal: 3,
      partsReceived: 3,
      incomplete: false,
      missingParts: null,
    });
    expect(draft.recipient?.id).toBe('zhongxian-county-head');
  });

  it('answers a retried part with the same number and does not count it twice', async () => {
    const [p1, p2] = parts('m', 9, 3);
    const first = await add(p1!);
    const again = await add(p1!);
    expect(again).toEqual({ petitionId: first.petitionId, complete: null });
    const second = await add(p2!);
    expect(second.complete).toBeNull();
  });

  it('keeps acknowledged parts across a restart', async () => {
    const [p1, p2, p3] = parts('m', 9, 3);
    const { petitionId } = await add(p1!);
    await add(p3!);
    await state.close();
    state = new LmdbGatewayState(dir);
    store = new SmsSegmentStore(state);
    const last = await add(p2!);
    expect(last.petitionId).toBe(petitionId);
    expect(assembleSegments(last.complete!).text).toBe(TEXT);
  });

  it('gives up on missing parts after the timeout, flagging what is missing', async () => {
    const [p1, , p3] = parts('m', 9, 3);
    await add(p1!);
    await add(p3!, T0 + 1000);
    expect(await store.due(T0 + TIMEOUT - 1)).toEqual([]);
    const [due] = await store.due(T0 + TIMEOUT);
    const draft = assembleSegments(due!);
    expect(draft.meta).toMatchObject({
      incomplete: true,
      partsReceived: 2,
      partsTotal: 3,
      missingParts: '2',
    });
    expect(draft.text).toBe(p1!.text + p3!.text);
  });

  it('gives a reused reference a new tracking number once the old group is done', async () => {
    const first = parts('a', 9, 2);
    const r = await add(first[0]!);
    const done = await add(first[1]!);
    await store.release(done.complete!);
    const later = await add(
      parts('b', 9, 2, '另一条完全不同的长短信内容，关于农民工工资拖欠的问题。')[0]!,
    );
    expect(later.petitionId).not.toBe(r.petitionId);
    expect(await store.due(T0)).toEqual([]);
  });

  it('keeps groups of different senders, hotlines and references apart', async () => {
    const base = parts('x', 5, 2);
    const other = base.map((d) => ({
      ...d,
      ref: d.ref + '-o',
      petitioner: { ...d.petitioner, phone: '+8613911112222' },
    }));
    const a = await add(base[0]!);
    const b = await add(other[0]!);
    const c = await add(parts('y', 6, 2)[0]!);
    expect(new Set([a.petitionId, b.petitionId, c.petitionId]).size).toBe(3);
  });

  it('refuses a part whose total disagrees with the open group', async () => {
    await add(parts('m', 9, 3)[0]!);
    await expect(add(parts('n', 9, 2)[1]!)).rejects.toBeInstanceOf(SegmentConflict);
  });

  describe('sweeper', () => {
    it('publishes a timed-out group once, and keeps it while Kafka is down', async () => {
      const sink = new MemorySink();
      const log = new PinoLogger({ pinoHttp: { level: 'silent' } });
      const intake = new IntakeService(sink, topicNames('t.'), log);
      const sweeper = new SmsSegmentSweeper(store, state, intake, env, log);
      const [p1] = parts('m', 9, 3);
      const { petitionId } = await add(p1!);

      expect(await sweeper.sweep(new Date(T0 + 1000))).toBe(0);
      sink.failing = true;
      expect(await sweeper.sweep(new Date(T0 + TIMEOUT))).toBe(0);
      expect(await store.due(T0 + TIMEOUT)).toHaveLength(1);
      sink.failing = false;
      expect(await sweeper.sweep(new Date(T0 + TIMEOUT + 1))).toBe(1);
      expect(await sweeper.sweep(new Date(T0 + TIMEOUT + 2))).toBe(0);
      const [raw] = sink.raws();
      expect(sink.records).toHaveLength(1);
      expect(sink.records[0]?.topic).toBe('t.petition.raw.v1');
      expect(raw).toMatchObject({
        petitionId,
        meta: { incomplete: true, partsReceived: 1, partsTotal: 3 },
      });
    });
  });
});
