import {
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { resolve } from 'node:path';
import type { Kafka } from 'kafkajs';
import { loadChannelsConfig } from '@app/config';
import { topicNames } from '@app/contracts';
import {
  BatchingPublisher,
  createKafka,
  ensureTopics,
  parseBrokers,
  SpoolingSink,
} from '@app/kafka';
import type { GatewayEnv } from './gateway.env';
import {
  CHANNELS_CONFIG,
  GATEWAY_ENV,
  KAFKA_CLIENT,
  KAFKA_PUBLISHER,
  RECORD_SINK,
  TOPIC_NAMES,
} from './tokens';

/**
 * Settings and the external systems (Kafka) behind DI tokens, built once at boot. The module is
 * created with the validated environment so tests can boot the app with their own settings.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationBootstrap, OnApplicationShutdown {
  static forEnv(env: GatewayEnv) {
    return {
      module: CoreModule,
      providers: [
        { provide: GATEWAY_ENV, useValue: env },
        { provide: TOPIC_NAMES, useValue: topicNames(env.TOPIC_NAMESPACE) },
        { provide: CHANNELS_CONFIG, useValue: loadChannelsConfig(resolve(env.CHANNELS_CONFIG)) },
        {
          provide: KAFKA_CLIENT,
          inject: [PinoLogger],
          useFactory: (log: PinoLogger): Kafka =>
            createKafka({
              brokers: parseBrokers(env.KAFKA_BROKERS),
              clientId: env.KAFKA_CLIENT_ID,
              log: (level, message, extra) => log[level](extra, message),
            }),
        },
        {
          provide: KAFKA_PUBLISHER,
          inject: [KAFKA_CLIENT],
          useFactory: (kafka: Kafka) =>
            new BatchingPublisher(kafka, { timeoutMs: env.PUBLISH_TIMEOUT_MS, maxBatch: 2000 }),
        },
        {
          provide: RECORD_SINK,
          inject: [KAFKA_PUBLISHER, PinoLogger],
          useFactory: (publisher: BatchingPublisher, log: PinoLogger) => {
            const sink = new SpoolingSink(publisher, {
              dir: resolve(env.SPOOL_DIR),
              directTimeoutMs: env.PUBLISH_TIMEOUT_MS,
              maxBytes: env.SPOOL_MAX_BYTES,
              relayBatch: 1000,
              log: (level, message, extra) => log[level](extra ?? {}, message),
            });
            // Opened here, at construction: an unwritable spool stops the gateway before it listens.
            sink.start();
            return sink;
          },
        },
      ],
      exports: [GATEWAY_ENV, CHANNELS_CONFIG, KAFKA_CLIENT, RECORD_SINK, TOPIC_NAMES],
    };
  }

  constructor(
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_PUBLISHER) private readonly publisher: BatchingPublisher,
    @Inject(RECORD_SINK) private readonly sink: SpoolingSink,
    private readonly log: PinoLogger,
  ) {
    log.setContext('Kafka');
  }

  private topicsTimer: NodeJS.Timeout | undefined;

  /**
   * Topics and the producer connection are prepared at boot, but a gateway (re)started during a
   * Kafka outage must still take petitions in (into the spool): after a short wait it starts
   * anyway and keeps preparing in the background.
   */
  async onApplicationBootstrap(): Promise<void> {
    const first = this.prepareKafka();
    const ready = await Promise.race([
      first.then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), 10000).unref()),
    ]);
    if (ready) return;
    this.log.warn('Kafka not ready at boot; taking petitions into the spool until it is');
    first.catch(() => this.retryLater());
  }

  private retryLater(): void {
    this.topicsTimer = setTimeout(() => {
      this.prepareKafka().catch(() => this.retryLater());
    }, 5000);
  }

  private async prepareKafka(): Promise<void> {
    await ensureTopics(
      this.kafka,
      Object.values(topicNames(this.env.TOPIC_NAMESPACE)).map((topic) => ({
        topic,
        partitions: this.env.TOPIC_PARTITIONS,
      })),
    );
    await this.publisher.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.topicsTimer);
    await this.sink.close();
    await this.publisher.close();
  }
}
