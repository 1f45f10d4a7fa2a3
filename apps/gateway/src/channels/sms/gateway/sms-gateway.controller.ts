import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { ChannelsConfig } from '@app/config';
import { CHANNELS_CONFIG, GATEWAY_ENV } from '../../../config/tokens';
import { GATEWAY_STATE, type GatewayState } from '../../../state/gateway-state.port';
import { KeyedLimiters, sendRateLimited } from '../../../http/rate-limiter';
import { SignatureShadow } from '../../../http/signature-shadow';
import type { GatewayEnv } from '../../../config/gateway.env';
import { NotDurableError } from '../../../http/channel-errors';
import { IntakeService } from '../../../intake/intake.service';
import type { ItemOutcome, PetitionDraft } from '../../channel-adapter';
import { SmsGatewayAdapter, segmentOf } from './sms-gateway.adapter';
import { SegmentConflict, SmsSegmentStore } from './sms-segment.store';
import { publishGroup } from './sms-group.publisher';
import type { SegmentGroup } from './sms-segment.store';
import { toInbound } from '../../../http/inbound-request';

/**
 * `POST /channels/sms/gateway`: verify → parse → whole messages published at once, parts of
 * concatenated messages stored durably (and published when their group completes) → per-message
 * results in request order.
 */
@Controller('channels/sms/gateway')
export class SmsGatewayController {
  constructor(
    private readonly adapter: SmsGatewayAdapter,
    private readonly segments: SmsSegmentStore,
    private readonly intake: IntakeService,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(CHANNELS_CONFIG) channels: ChannelsConfig,
    @Inject(GATEWAY_STATE) private readonly state: GatewayState,
    private readonly shadow: SignatureShadow,
    private readonly log: PinoLogger,
  ) {
    log.setContext(SmsGatewayController.name);
    this.limiters = new KeyedLimiters(
      channels.sms.gateways.map((g) => [g.id, g.rateLimit]),
      state,
      'sms-gateways',
    );
  }

  private readonly limiters: KeyedLimiters;

  @Post()
  @HttpCode(200)
  async receive(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const receivedAt = new Date();
    const inbound = toInbound(req, this.env);
    this.shadow.check(this.adapter.route, () => this.adapter.verifyAt(inbound, receivedAt));
    const gatewayId = String(inbound.headers['x-gateway-id']);
    // Per gateway id, after its signature: nobody else can spend a gateway's budget.
    const limit = await this.limiters.take(gatewayId, receivedAt.getTime());
    if (!limit.allowed) {
      return sendRateLimited(
        res,
        limit.retryAfterSeconds,
        'too-many-requests',
        'this gateway is over its request budget (sms.gateways[].rateLimit)',
      );
    }
    const entries = this.adapter.parseBatch(inbound);
    const gateway = this.adapter.gateway(gatewayId);
    const timeoutMs = (gateway?.multipartTimeoutSeconds ?? 600) * 1000;
    // outcomes[i] is message i's: what was done with it, never another message's result.
    const outcomes = new Array<ItemOutcome | undefined>(entries.length);
    const whole: { index: number; draft: PetitionDraft }[] = [];
    const completed: SegmentGroup[] = [];
    for (const entry of entries) {
      if ('rejected' in entry) {
        outcomes[entry.index] = { status: 'rejected', ...entry.rejected };
        continue;
      }
      if (!('draft' in entry)) continue;
      const { index, draft } = entry;
      const segment = segmentOf(draft);
      if (!segment) {
        whole.push({ index, draft });
        continue;
      }
      // A part is acknowledged once stored, long before its petition is published: refuse here
      // what the publish would refuse.
      const refusal = this.intake.refusal(draft, receivedAt);
      if (refusal) {
        outcomes[index] = { ref: draft.ref, status: 'rejected', ...refusal };
        continue;
      }
      try {
        const receipt = await this.segments.add(draft, segment, receivedAt.getTime(), timeoutMs);
        outcomes[index] = { ref: draft.ref, status: 'accepted', petitionId: receipt.petitionId };
        if (receipt.complete) completed.push(receipt.complete);
      } catch (error) {
        if (!(error instanceof SegmentConflict)) throw error;
        outcomes[index] = {
          ref: draft.ref,
          status: 'rejected',
          code: error.code,
          message: error.message,
        };
      }
    }
    // Whole messages must be durable on Kafka before we answer (503 otherwise, and the gateway
    // retries). Parts are already durable in the store, so a failed group publish is left to the
    // sweeper rather than failing parts the gateway need not resend.
    const published = await this.intake.accept(
      { items: whole.map((w) => w.draft), rejected: [] },
      receivedAt,
      String(req.id),
    );
    whole.forEach((w, k) => (outcomes[w.index] = published[k]));
    for (const entry of entries) {
      if ('sameAs' in entry) outcomes[entry.index] = outcomes[entry.sameAs];
    }
    for (const group of completed) {
      try {
        await publishGroup(this.intake, group, receivedAt, String(req.id), this.log);
        await this.segments.release(group);
      } catch (error) {
        // Not durable: the sweeper retries. Anything else is a bug, logged with its cause.
        const level = error instanceof NotDurableError ? 'warn' : 'error';
        this.log[level](
          { err: error, petitionId: group.petitionId },
          'SMS group left to the sweeper',
        );
      }
    }
    const ordered = outcomes.filter((o): o is ItemOutcome => o !== undefined);
    if (ordered.length !== entries.length) {
      throw new Error(`${entries.length - ordered.length} messages have no outcome`);
    }
    const reply = this.adapter.reply(ordered);
    await res.status(reply.status).header('content-type', reply.contentType).send(reply.body);
  }
}
