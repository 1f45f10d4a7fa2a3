import {
  HttpException,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { GATEWAY_ENV } from '../config/tokens';
import type { GatewayEnv } from '../config/gateway.env';
import { HealthController } from '../health/health.controller';
import { GatewayMetrics } from '../metrics/gateway.metrics';

/**
 * /metrics and /health on a port of their own (ADMIN_PORT, on ADMIN_HOST, loopback by default),
 * so the operators' endpoints need not face the internet beside the channels; the public port then
 * answers 404 for them (edge-hooks.ts). Without ADMIN_PORT they stay on the public port.
 */
@Injectable()
export class AdminServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: FastifyInstance | null = null;

  constructor(
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    private readonly metrics: GatewayMetrics,
    private readonly moduleRef: ModuleRef,
    private readonly log: PinoLogger,
  ) {
    log.setContext(AdminServer.name);
  }

  /** The port it listens on (ADMIN_PORT=0 picks a free one), or null when there is none. */
  get port(): number | null {
    const address = this.server?.server.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.env.ADMIN_PORT === undefined) return;
    const health = this.moduleRef.get(HealthController, { strict: false });
    const server = Fastify({ requestTimeout: 10000 });
    server.get('/metrics', async (_req, reply) =>
      reply
        .header('content-type', 'text/plain; version=0.0.4')
        .send(await this.metrics.registry.metrics()),
    );
    server.get('/health', async (_req, reply) => {
      try {
        return await health.check();
      } catch (error) {
        // Terminus throws its 503 with the full report: an operator needs the details.
        if (!(error instanceof HttpException)) throw error;
        return reply.status(error.getStatus()).send(error.getResponse());
      }
    });
    await server.listen({ port: this.env.ADMIN_PORT, host: this.env.ADMIN_HOST });
    this.server = server;
    this.log.info({ port: this.port, host: this.env.ADMIN_HOST }, 'admin endpoints listening');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}
