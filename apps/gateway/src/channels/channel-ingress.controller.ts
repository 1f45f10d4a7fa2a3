import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_ENV, CHANNEL_ADAPTERS } from '../config/tokens';
import type { GatewayEnv } from '../config/gateway.env';
import { IntakeService } from '../intake/intake.service';
import { ChannelError, ChannelRequestError } from '../http/channel-errors';
import { toInbound } from '../http/inbound-request';
import { SignatureShadow } from '../http/signature-shadow';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import type { ChannelAdapter } from './channel-adapter';

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
    private readonly shadow: SignatureShadow,
  ) {
    this.byRoute = new Map(adapters.map((a) => [a.route, a]));
  }

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
    const inbound = toInbound(req, this.env);
    try {
      this.shadow.check(adapter.route, () => adapter.verify(inbound));
      const parsed = adapter.parse(inbound);
      const outcomes = await this.intake.accept(parsed, receivedAt, String(req.id));
      // A request of one item that was refused is the request refused: the sender hears a 4xx,
      // never a 200 without a tracking number (Twilio does not retry a 4xx).
      const [only] = outcomes;
      if (outcomes.length === 1 && only?.status === 'rejected') {
        throw new ChannelRequestError(only.code, only.message);
      }
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
}
