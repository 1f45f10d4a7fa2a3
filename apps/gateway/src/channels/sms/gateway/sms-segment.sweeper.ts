import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { GATEWAY_STATE, type GatewayState } from '../../../state/gateway-state.port';
import { GATEWAY_ENV } from '../../../config/tokens';
import type { GatewayEnv } from '../../../config/gateway.env';
import { NotDurableError } from '../../../http/channel-errors';
import { IntakeService } from '../../../intake/intake.service';
import { SmsSegmentStore } from './sms-segment.store';
import { publishGroup } from './sms-group.publisher';

/**
 * Publishes concatenated SMS whose missing parts did not come in time (flagged incomplete) and
 * complete groups whose publish failed. It runs from boot, so groups stored before a restart are
 * published too.
 */
@Injectable()
export class SmsSegmentSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  /** This process, as the sweeper lease's holder. */
  private readonly holder = randomUUID();

  constructor(
    private readonly store: SmsSegmentStore,
    @Inject(GATEWAY_STATE) private readonly state: GatewayState,
    private readonly intake: IntakeService,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    private readonly log: PinoLogger,
  ) {
    log.setContext(SmsSegmentSweeper.name);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep(new Date())
        .then(() => undefined)
        .finally(() => (this.running = undefined));
    }, this.env.SMS_GATEWAY_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.state.releaseLease('sms-segment-sweeper', this.holder).catch(() => undefined);
  }

  /**
   * One pass: publish what is due; what fails stays for the next pass. With replicas, one sweeps
   * at a time (a lease); a group published twice would still be one petition (same key).
   */
  async sweep(now: Date): Promise<number> {
    const ttl = Math.max(30_000, this.env.SMS_GATEWAY_SWEEP_INTERVAL_MS * 3);
    const lease = await this.state.lease('sms-segment-sweeper', this.holder, ttl);
    if (!lease.granted) return 0;
    let published = 0;
    for (const group of await this.store.due(now.getTime())) {
      try {
        await publishGroup(this.intake, group, now, `sms-sweep-${now.getTime()}`, this.log);
        await this.store.release(group);
        published++;
      } catch (error) {
        // Not durable: the next pass retries. Anything else is a bug, logged with its cause.
        const level = error instanceof NotDurableError ? 'warn' : 'error';
        this.log[level](
          { err: error, petitionId: group.petitionId },
          'SMS group not published yet',
        );
      }
    }
    return published;
  }
}
