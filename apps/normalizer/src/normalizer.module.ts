import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { resolve } from 'node:path';
import type { CountryCode } from 'libphonenumber-js';
import { topicNames } from '@app/contracts';
import { createKafka, ensureTopics, parseBrokers } from '@app/kafka';
import { loggerOptions } from '@app/observability';
import type { NormalizerEnv } from './config/normalizer.env';
import { TransactionalNormalizer } from './consumer/transactional-normalizer';
import { RawRecordProcessor } from './pipeline/raw-record-processor';
import { ReplayStore } from './state/replay-store';

const NORMALIZER_ENV = Symbol('NORMALIZER_ENV');

/** Nest only wires things up here; the work is in plain classes that tests can drive directly. */
@Module({})
export class NormalizerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private normalizer?: TransactionalNormalizer;
  private replay?: ReplayStore;

  static forEnv(env: NormalizerEnv): DynamicModule {
    return {
      module: NormalizerModule,
      imports: [LoggerModule.forRoot({ pinoHttp: loggerOptions('normalizer', env.LOG_LEVEL) })],
      providers: [{ provide: NORMALIZER_ENV, useValue: env }],
    };
  }

  constructor(
    @Inject(NORMALIZER_ENV) private readonly env: NormalizerEnv,
    private readonly log: PinoLogger,
  ) {
    log.setContext('Normalizer');
  }

  get stats() {
    return this.normalizer?.stats;
  }

  async onApplicationBootstrap(): Promise<void> {
    const env = this.env;
    const kafka = createKafka({
      brokers: parseBrokers(env.KAFKA_BROKERS),
      clientId: env.KAFKA_CLIENT_ID,
      log: (level, message, extra) => this.log[level](extra, message),
    });
    await ensureTopics(
      kafka,
      Object.values(topicNames(env.TOPIC_NAMESPACE)).map((topic) => ({
        topic,
        partitions: env.TOPIC_PARTITIONS,
      })),
    );
    this.replay = new ReplayStore(resolve(env.STATE_DIR, 'replay'));
    this.normalizer = new TransactionalNormalizer(
      kafka,
      new RawRecordProcessor(
        env.DEFAULT_PHONE_REGION as CountryCode,
        topicNames(env.TOPIC_NAMESPACE),
      ),
      this.replay,
      {
        groupId: env.NORMALIZER_GROUP_ID,
        topics: topicNames(env.TOPIC_NAMESPACE),
        transactionalId: `${env.NORMALIZER_GROUP_ID}-${env.NORMALIZER_INSTANCE_ID}`,
        log: (level, message, extra) => this.log[level](extra ?? {}, message),
      },
    );
    await this.normalizer.start();
    this.log.info({ group: env.NORMALIZER_GROUP_ID }, 'normalizer consuming');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.normalizer?.stop();
    await this.replay?.close();
  }
}
