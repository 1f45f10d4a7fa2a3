import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { SpoolingSink } from '@app/kafka';
import { GATEWAY_ENV, RECORD_SINK } from '../config/tokens';
import type { GatewayEnv } from '../config/gateway.env';

/** The spool is healthy while it has room; its depth tells an operator how far Kafka is behind. */
@Injectable()
export class SpoolHealthIndicator {
  constructor(
    @Inject(RECORD_SINK) private readonly sink: SpoolingSink,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    private readonly indicator: HealthIndicatorService,
  ) {}

  check(key = 'spool'): HealthIndicatorResult {
    const depth = this.sink.depth;
    const probe = this.indicator.check(key);
    const details = {
      records: depth.records,
      bytes: depth.bytes,
      mode: depth.mode,
      maxBytes: this.env.SPOOL_MAX_BYTES,
    };
    return depth.bytes < this.env.SPOOL_MAX_BYTES ? probe.up(details) : probe.down(details);
  }
}
