import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SpoolingSink } from '@app/kafka';
import { RECORD_SINK } from '../config/tokens';

/** Prometheus metrics of the gateway; a registry of its own so tests can boot several gateways. */
@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly items = new Counter({
    name: 'petition_gateway_items_total',
    help: 'Items per channel route and outcome (accepted, rejected, refused, not-durable)',
    labelNames: ['route', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly refusals = new Counter({
    name: 'petition_gateway_refusals_total',
    help: 'Refused requests (4xx/5xx) per route template and machine-readable code, every route',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  });
  readonly ackSeconds = new Histogram({
    name: 'petition_gateway_ack_seconds',
    help: 'Time from request to acknowledgement (item durable)',
    labelNames: ['route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(@Inject(RECORD_SINK) sink: SpoolingSink) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'petition_gateway_spool_records',
      help: 'Items in the disk spool waiting for Kafka',
      registers: [this.registry],
      collect() {
        this.set(sink.depth.records);
      },
    });
    new Gauge({
      name: 'petition_gateway_spool_bytes',
      help: 'Bytes in the disk spool waiting for Kafka',
      registers: [this.registry],
      collect() {
        this.set(sink.depth.bytes);
      },
    });
  }
}
