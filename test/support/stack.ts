import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicNames, type TopicNames } from '@app/contracts';
import { loadGatewayEnv } from '../../apps/gateway/src/config/gateway.env';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { loadNormalizerEnv } from '../../apps/normalizer/src/config/normalizer.env';
import { createNormalizerApp } from '../../apps/normalizer/src/normalizer.app';
import { TopicReader } from './topic-reader';

export const TEST_TWILIO_TOKEN = 'test-twilio-auth-token';

export interface Stack {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  brokers: string[];
  topics: TopicNames;
  events: TopicReader;
  deadLetters: TopicReader;
  stateDir: string;
  gateway: NestFastifyApplication;
  normalizer: INestApplicationContext | null;
  /**
   * Starts one more normalizer of the same group on the same topics, with its own state
   * directory (instances share state only through REDIS_URL); closed with the stack.
   */
  addNormalizer(env?: Record<string, string>): Promise<NestFastifyApplication>;
  /**
   * Starts one more gateway on the same topics (a replica), with its own state directory and
   * spool (replicas share state only through GATEWAY_REDIS_URL); closed with the stack.
   */
  addGateway(env?: Record<string, string>): Promise<{ app: NestFastifyApplication; url: string }>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** A broker other than the suite's (a test that stops and starts its own). */
  brokers?: string[];
  gatewayEnv?: Record<string, string>;
  normalizerEnv?: Record<string, string>;
  /** Start only the gateway (for tests of the raw topic). */
  withNormalizer?: boolean;
  /** Read the events and dead-letter topics (off for a stack whose Kafka is unreachable). */
  withReaders?: boolean;
}

export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: the global setup starts a broker for the suite');
  return brokers.split(',');
}

/**
 * Boots the real gateway and normalizer in this process against the suite's real broker, on a
 * topic namespace of their own so test files never see each other's records.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const brokers = options.brokers ?? testBrokers();
  const namespace = `t-${randomUUID().slice(0, 8)}.`;
  const stateDir = mkdtempSync(join(tmpdir(), 'petition-state-'));
  const common = {
    KAFKA_BROKERS: brokers.join(','),
    TOPIC_NAMESPACE: namespace,
    TOPIC_PARTITIONS: '3',
    LOG_LEVEL: 'silent',
  };
  const identity = { IDENTITY_KEY_SECRET: 'test-identity-secret-0123456789' };
  const gatewayEnv = (overrides: Record<string, string>) =>
    loadGatewayEnv({
      ...common,
      PORT: '0',
      HOST: '127.0.0.1',
      TWILIO_AUTH_TOKEN: TEST_TWILIO_TOKEN,
      SPOOL_DIR: join(stateDir, 'spool'),
      // Each stack its own mailbox, board and SMS-part state: the default directory would carry
      // one run's letters into the next as re-posts.
      GATEWAY_STATE_DIR: join(stateDir, 'gateway'),
      ...options.gatewayEnv,
      ...overrides,
    });
  const gateway = await createGatewayApp(gatewayEnv({}));
  await gateway.listen(0, '127.0.0.1');
  const normalizerEnv = (overrides: Record<string, string>) =>
    loadNormalizerEnv({
      ...common,
      STATE_DIR: stateDir,
      NORMALIZER_GROUP_ID: `normalizer-${namespace}`,
      NORMALIZER_INSTANCE_ID: 'test',
      ...identity,
      ...options.normalizerEnv,
      ...overrides,
    });
  let normalizer: INestApplicationContext | null = null;
  if (options.withNormalizer !== false) {
    normalizer = await createNormalizerApp(normalizerEnv({}));
    await normalizer.init();
  }
  const added: NestFastifyApplication[] = [];
  const replicas: NestFastifyApplication[] = [];
  const topics = topicNames(namespace);
  const events = new TopicReader(brokers, topics.events);
  const deadLetters = new TopicReader(brokers, topics.deadLetters);
  if (options.withReaders !== false) await Promise.all([events.start(), deadLetters.start()]);
  const url = (await gateway.getUrl()).replace('[::1]', '127.0.0.1');
  const stack: Stack = {
    url,
    brokers,
    topics,
    events,
    deadLetters,
    stateDir,
    gateway,
    normalizer,
    async addNormalizer(env = {}) {
      const n = added.length + 1;
      const app = await createNormalizerApp(
        normalizerEnv({
          STATE_DIR: mkdtempSync(join(stateDir, `normalizer-${n}-`)),
          NORMALIZER_INSTANCE_ID: `test-${n}`,
          ...env,
        }),
      );
      added.push(app);
      await app.init();
      return app;
    },
    async addGateway(env = {}) {
      const n = replicas.length + 2;
      const app = await createGatewayApp(
        gatewayEnv({
          SPOOL_DIR: join(stateDir, `spool-${n}`),
          GATEWAY_STATE_DIR: join(stateDir, `gateway-${n}`),
          ...env,
        }),
      );
      replicas.push(app);
      await app.listen(0, '127.0.0.1');
      return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
    },
    async close() {
      await events.stop();
      await deadLetters.stop();
      for (const app of replicas) await app.close();
      await gateway.close();
      // The field, not the one started here: a test may have closed it and set it to null.
      await stack.normalizer?.close();
      for (const app of added) await app.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return stack;
}
