import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Kafka } from 'kafkajs';
import { withTimeout } from '@app/observability';
import { KAFKA_CLIENT } from '../config/tokens';

/** Kafka is ready when the cluster answers a metadata request within a short deadline. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key = 'kafka'): Promise<HealthIndicatorResult> {
    const probe = this.indicator.check(key);
    const admin = this.kafka.admin();
    try {
      const cluster = await withTimeout(
        (async () => {
          await admin.connect();
          return admin.describeCluster();
        })(),
        2000,
      );
      return probe.up({ brokers: cluster.brokers.length, controller: cluster.controller });
    } catch (error) {
      return probe.down({ message: error instanceof Error ? error.message : String(error) });
    } finally {
      void admin.disconnect().catch(() => undefined);
    }
  }
}
