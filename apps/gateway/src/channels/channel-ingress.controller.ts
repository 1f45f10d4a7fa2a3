import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { GATEWAY_ENV, CHANNEL_ADAPTERS } from '../config/tokens';
import type { GatewayEnv } from '../config/gateway.env';
import { IntakeService } from '../intake/intake.service';
import { ChannelAuthError, ChannelError, ChannelRequestError } from '../http/channel-errors';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import type { ChannelAdapter, InboundRequest } from './channel-adapter';

/**
 * `POST /channels/<route>` for every adapter: verify → parse → durable publish → reply.
 * Thin on purpose: the adapter owns its provider's format, IntakeService owns durability.
 */
@Controller('channels')
export class ChannelIngressController {
  private readonly byRoute: Map<string, ChannelAdapter>;

  constructor(
    @Inject(CHANNEL_ADAPTERS) adapters: ChannelAdapter[],
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    private readonly intake: IntakeService,
    private readonly metrics: GatewayMetrics,
    private readonly log: PinoLogger,
  ) {
    this.byRoute = new Map(adapters.map((a) => [a.route, a]));
    this.shadow = new Set(
      env.SIGNATURE_SHADOW_ROUTES.split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    );
    log.setContext(ChannelIngressController.name);
  }

  /** Routes whose signature failures are logged and counted but not refused (roll-out aid). */
  private readonly shadow: Set<string>;

  @Post('*')
  async receive(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const receivedAt = new Date();
    const route =
      req.url
        .split('?')[0]
        ?.replace(/^\/channels\//, '')
        .replace(/\/+$/, '') ?? '';
    const adapter = this.byRoute.get(route);
    if (!adapter)
      throw new ChannelRequestError('unknown-channel', `no channel at /channels/${route}`, 404);
    const inbound = this.toInbound(req);
    try {
      this.verify(adapter, inbound);
      const parsed = adapter.parse(inbound);
      const outcomes = await this.intake.accept(parsed, receivedAt, String(req.id));
      const reply = adapter.reply(outcomes, inbound);
      for (const o of outcomes) this.metrics.items.inc({ route, outcome: o.status });
      this.metrics.ackSeconds.observe({ route }, (Date.now() - receivedAt.getTime()) / 1000);
      await res.status(reply.status).header('content-type', reply.contentType).send(reply.body);
    } catch (error) {
      this.metrics.items.inc({
        route,
        outcome: error instanceof ChannelError ? error.code : 'error',
      });
      throw error;
    }
  }

  private verify(adapter: ChannelAdapter, inbound: InboundRequest): void {
    try {
      adapter.verify(inbound);
    } catch (error) {
      if (!(error instanceof ChannelAuthError) || !this.shadow.has(adapter.route)) throw error;
      // Shadow mode: verify and log, do not refuse (for a roll-out behind an unusual proxy).
      this.log.warn(
        { route: adapter.route, code: error.code },
        'signature check failed; accepted in shadow mode',
      );
      this.metrics.items.inc({ route: adapter.route, outcome: `shadow-${error.code}` });
    }
  }

  private toInbound(req: FastifyRequest): InboundRequest {
    return {
      method: req.method,
      path: req.url,
      publicBaseUrl:
        this.env.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`,
      headers: req.headers,
      rawBody: (req as FastifyRequest & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0),
      body: req.body,
      clientIp: req.ip,
    };
  }
}
