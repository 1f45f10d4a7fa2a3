import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { KafkaHealthIndicator } from './kafka.health';
import { SpoolHealthIndicator } from './spool.health';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly spool: SpoolHealthIndicator,
  ) {}

  /**
   * 200 when Kafka is ready and the spool has room, 503 otherwise (Terminus), with details per
   * dependency; the spool's depth is always in the details.
   */
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.kafka.check(), () => this.spool.check()]);
  }
}
