import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { join, resolve } from 'node:path';
import type { CountryCode } from 'libphonenumber-js';
import { CategoryPipeline, IntentClassifier } from '@app/classify';
import { topicNames } from '@app/contracts';
import {
  createDedupStore,
  dedupHorizonDays,
  DedupEngine,
  LmdbDedupStore,
  type DedupStore,
} from '@app/dedup';
import { createKafka, ensureTopics, parseBrokers } from '@app/kafka';
import { loggerOptions, withDestination } from '@app/observability';
import { loadRoutingConfig } from '@app/routing';
import type { NormalizerEnv } from './config/normalizer.env';
import { TransactionalNormalizer } from './consumer/transactional-normalizer';
import { PetitionJudge } from './pipeline/petition-judge';
import { RawRecordProcessor } from './pipeline/raw-record-processor';
import { LmdbClaimStore, SharedClaimStore, type ClaimStore } from './state/claim-store';
import { ReplayStore } from './state/replay-store';
import { NormalizerMetrics } from './ops/normalizer.metrics';
import { NormalizerStatus } from './ops/normalizer.status';
import { OpsController } from './ops/ops.controller';

const NORMALIZER_ENV = Symbol('NORMALIZER_ENV');

/** Nest only wires things up here; the work is in plain classes that tests can drive directly. */
@Module({})
export class NormalizerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private normalizer?: TransactionalNormalizer;
  private replay?: ReplayStore;
  private dedupStore?: DedupStore;

  static forEnv(env: NormalizerEnv): DynamicModule {
    return {
      module: NormalizerModule,
      imports: [
        LoggerModule.forRoot({
          // Probes of /health and scrapes of /metrics every few seconds are not worth a line each.
          pinoHttp: withDestination(env.LOG_FILE, {
            ...loggerOptions('normalizer', env.LOG_LEVEL),
            autoLogging: false,
          }),
        }),
      ],
      controllers: [OpsController],
      providers: [{ provide: NORMALIZER_ENV, useValue: env }, NormalizerStatus, NormalizerMetrics],
    };
  }

  constructor(
    @Inject(NORMALIZER_ENV) private readonly env: NormalizerEnv,
    private readonly log: PinoLogger,
    private readonly status: NormalizerStatus,
    private readonly metrics: NormalizerMetrics,
  ) {
    log.setContext('Normalizer');
  }

  async onApplicationBootstrap(): Promise<void> {
    const env = this.env;
    const topics = topicNames(env.TOPIC_NAMESPACE);
    // Config and model load first: a bad file stops the process before it consumes anything.
    const configDir = resolve(env.JUDGEMENT_CONFIG_DIR);
    const dedupOptions = {
      duplicateWindowDays: env.DUPLICATE_WINDOW_DAYS,
      clusterWindowDays: env.CLUSTER_WINDOW_DAYS,
      alertSize: env.CLUSTER_ALERT_SIZE,
      alertWindowDays: env.CLUSTER_ALERT_WINDOW_DAYS,
    };
    // How long dedup state is kept, and replay claims with it (a re-scraped board message from
    // months ago is still a replay).
    const horizonDays = dedupHorizonDays(dedupOptions);
    const routing = loadRoutingConfig(configDir);
    const judge = new PetitionJudge({
      category: CategoryPipeline.fromFiles(
        resolve(env.CATEGORY_MODEL),
        join(configDir, 'classify-rules.yaml'),
      ),
      intent: IntentClassifier.fromFile(join(configDir, 'intents.yaml')),
      routing,
      dedup: new DedupEngine(
        (this.dedupStore = createDedupStore({
          redisUrl: env.REDIS_URL ?? null,
          lmdbPath: resolve(env.STATE_DIR, 'dedup'),
          horizonDays,
          redis: {
            onConnection: (event) =>
              event.state === 'lost'
                ? this.log.warn(
                    { reason: event.reason },
                    'dedup redis connection lost; petitions wait in the raw topic',
                  )
                : this.log.info({ downMs: event.downMs }, 'dedup redis connection restored'),
          },
          onReindexed: (deleted) => {
            // The replay claims follow the same retention, on the same occasion.
            const replayClaims = this.replay?.pruneExpired() ?? 0;
            this.metrics.reindexed(deleted.records);
            this.log.info(
              { ...deleted, replayClaims },
              'dedup index rebuilt while running; past the horizon pruned',
            );
          },
        })),
        dedupOptions,
        routing.matters,
      ),
    });
    const store = this.dedupStore;
    this.status.store = { kind: env.REDIS_URL ? 'redis' : 'lmdb', ping: () => store.ping() };
    if (this.dedupStore instanceof LmdbDedupStore)
      this.log.info(
        { pruned: this.dedupStore.pruned },
        'dedup store open; past the horizon pruned',
      );
    let claims: ClaimStore;
    if (env.REDIS_URL) {
      claims = new SharedClaimStore(this.dedupStore, horizonDays * 86_400);
    } else {
      this.replay = new ReplayStore(resolve(env.STATE_DIR, 'replay'), {
        retentionDays: horizonDays,
      });
      this.log.info(
        { pruned: this.replay.pruned },
        'replay claims open; past the retention pruned',
      );
      claims = new LmdbClaimStore(this.replay);
    }
    const kafka = createKafka({
      brokers: parseBrokers(env.KAFKA_BROKERS),
      clientId: env.KAFKA_CLIENT_ID,
      log: (level, message, extra) => this.log[level](extra, message),
    });
    await ensureTopics(
      kafka,
      Object.values(topics).map((topic) => ({ topic, partitions: env.TOPIC_PARTITIONS })),
    );
    const processor = new RawRecordProcessor(
      {
        phoneRegion: env.DEFAULT_PHONE_REGION as CountryCode,
        identitySecret: env.IDENTITY_KEY_SECRET,
      },
      topics,
      claims,
      judge,
    );
    this.normalizer = new TransactionalNormalizer(kafka, processor, claims, {
      groupId: env.NORMALIZER_GROUP_ID,
      topics,
      transactionalId: `${env.NORMALIZER_GROUP_ID}-${env.NORMALIZER_INSTANCE_ID}`,
      log: (level, message, extra) => this.log[level](extra ?? {}, message),
      onCommitted: (outcomes, seconds, timing) => this.metrics.committed(outcomes, seconds, timing),
      onBatchFailed: () => this.metrics.batchFailed(),
    });
    this.status.source = this.normalizer;
    await this.normalizer.start();
    this.log.info({ group: env.NORMALIZER_GROUP_ID }, 'normalizer consuming');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.normalizer?.stop();
    await this.replay?.close();
    await this.dedupStore?.close();
  }
}
