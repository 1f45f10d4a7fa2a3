import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
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

  constructor(
    private readonly store: SmsSegmentStore,
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
  }

  /** One pass: publish what is due; what fails stays for the next pass. */
  async sweep(now: Date): Promise<number> {
    let published = 0;
    for (const group of this.store.due(now.getTime())) {
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
    await this.store.prune(now.getTime());
    return published;
  }
}
