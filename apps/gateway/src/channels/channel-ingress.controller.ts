import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_ENV, CHANNEL_ADAPTERS } from '../config/tokens';
import type { GatewayEnv } from '../config/gateway.env';
import { IntakeService } from '../intake/intake.service';
import { ChannelRequestError } from '../http/channel-errors';
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
    const inbound = this.toInbound(req);
    adapter.verify(inbound);
    const parsed = adapter.parse(inbound);
    const outcomes = await this.intake.accept(parsed, receivedAt, String(req.id));
    const reply = adapter.reply(outcomes, inbound);
    await res.status(reply.status).header('content-type', reply.contentType).send(reply.body);
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
