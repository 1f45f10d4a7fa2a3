import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboundRecord, RecordSink } from '../outbound-record';
import { PublishTimeoutError } from '../publish-errors';
import { SpoolFullError } from './spool-errors';
import { SpoolingSink } from './spooling-sink';

/** A Kafka stand-in that can be switched off and on, recording what it accepted in order. */
class SwitchableKafka implements RecordSink {
  up = true;
  /** Never answers (a broker that accepts connections and then says nothing). */
  hung = false;
  readonly accepted: OutboundRecord[] = [];
  publish(record: OutboundRecord): Promise<void> {
    if (this.hung) return new Promise(() => undefined);
    if (!this.up) return Promise.reject(new PublishTimeoutError(1));
    this.accepted.push(record);
    return Promise.resolve();
  }
}

const record = (i: number, key = `k${i % 3}`): OutboundRecord => ({
  topic: 'raw',
  key,
  value: `v${i}`,
});

describe('SpoolingSink', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spooling-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function eventually(check: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(check()).toBe(true);
  }

  it('publishes directly while Kafka is up', async () => {
    const kafka = new SwitchableKafka();
    const sink = new SpoolingSink(kafka, {
      dir,
      directTimeoutMs: 50,
      maxBytes: 1e6,
      relayBatch: 10,
    });
    sink.start();
    await sink.publish(record(1));
    expect(kafka.accepted.map((r) => r.value)).toEqual(['v1']);
    expect(sink.depth).toMatchObject({ records: 0, mode: 'direct' });
    await sink.close();
  });

  it('acknowledges from the spool while Kafka is down, then relays everything in order', async () => {
    const kafka = new SwitchableKafka();
    const sink = new SpoolingSink(kafka, {
      dir,
      directTimeoutMs: 50,
      maxBytes: 1e6,
      relayBatch: 4,
    });
    sink.start();
    kafka.up = false;
    for (let i = 0; i < 10; i++) await sink.publish(record(i));
    expect(sink.depth).toMatchObject({ records: 10, mode: 'spool' });
    kafka.up = true;
    await sink.publish(record(10));
    await eventually(() => sink.depth.mode === 'direct');
    expect(kafka.accepted.map((r) => r.value)).toEqual(
      Array.from({ length: 11 }, (_, i) => `v${i}`),
    );
    await sink.close();
  });

  it('keeps spooled items across a restart and relays them when Kafka returns', async () => {
    const kafka = new SwitchableKafka();
    kafka.up = false;
    const first = new SpoolingSink(kafka, {
      dir,
      directTimeoutMs: 50,
      maxBytes: 1e6,
      relayBatch: 4,
    });
    first.start();
    for (let i = 0; i < 5; i++) await first.publish(record(i));
    await first.close();
    kafka.up = true;
    const second = new SpoolingSink(kafka, {
      dir,
      directTimeoutMs: 50,
      maxBytes: 1e6,
      relayBatch: 4,
    });
    second.start();
    await eventually(() => kafka.accepted.length === 5);
    expect(second.depth.records).toBe(0);
    await second.close();
  });

  it('refuses new items with SpoolFullError at its size bound, without losing what it holds', async () => {
    const kafka = new SwitchableKafka();
    kafka.up = false;
    const sink = new SpoolingSink(kafka, {
      dir,
      directTimeoutMs: 20,
      maxBytes: 200,
      relayBatch: 4,
    });
    sink.start();
    let accepted = 0;
    let refused: unknown;
    for (let i = 0; i < 50 && !refused; i++) {
      try {
        await sink.publish(record(i));
        accepted++;
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toBeInstanceOf(SpoolFullError);
    expect(sink.depth.records).toBe(accepted);
    kafka.up = true;
    await eventually(() => kafka.accepted.length === accepted);
    await sink.close();
  });

  it('closes within its bound while a relay hangs, keeping the spooled items', async () => {
    const kafka = new SwitchableKafka();
    kafka.up = false;
    const options = { dir, directTimeoutMs: 20, maxBytes: 1e6, relayBatch: 4 };
    const sink = new SpoolingSink(kafka, options);
    sink.start();
    await sink.publish(record(1));
    await sink.publish(record(2));
    kafka.hung = true;
    // The relay runs every 200 ms: wait until one is stuck on the hung broker.
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await sink.close(100);
    expect(Date.now() - started).toBeLessThan(1000);

    kafka.hung = false;
    kafka.up = true;
    const second = new SpoolingSink(kafka, options);
    second.start();
    await eventually(() => kafka.accepted.length === 2);
    expect(kafka.accepted.map((r) => r.value)).toEqual(['v1', 'v2']);
    await second.close();
  });
});
