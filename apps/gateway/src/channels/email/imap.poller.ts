import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { NotDurableError } from '../../http/channel-errors';
import { GATEWAY_STATE, type GatewayState } from '../../state/gateway-state.port';
import type { ImapAccountConfig } from './email.config';
import { EmailIntakeService } from './email-intake.service';
import { EmailStateStore } from './email-state.store';
import { EMAIL_SETTINGS, EmailStats, type EmailSettings } from './email.tokens';

/** Our keyword on a message whose petition is durable. */
export const IMPORTED_KEYWORD = '$XfImported';
/** Our keyword on a message that was kept raw and dead-lettered (not a petition). */
export const DEAD_LETTER_KEYWORD = '$XfDeadLettered';

export interface PollResult {
  imported: number;
  duplicates: number;
  deadLettered: number;
  /** True when a message could not be made durable: the rest waits for the next poll. */
  interrupted: boolean;
  /** Another replica holds this mailbox's poller lease: nothing was read. */
  skipped?: 'lease-held-elsewhere';
}

/**
 * A poller lease not renewed for this long is free: a replica that died hands its mailboxes over
 * within this bound. Renewed before every message, so a live poller never loses it mid-poll.
 */
export const IMAP_LEASE_TTL_MS = 30_000;

/**
 * Polls the configured IMAP mailboxes. A message is flagged (our keyword, optionally \Seen) or
 * moved only after its petition or dead letter is durable, so a crash at any point loses nothing;
 * what was made durable but not yet flagged is recognised on the next poll by its idempotency key
 * (the state port) and only flagged, so nothing is imported or answered twice. A UID cursor per
 * mailbox (reset when UIDVALIDITY changes) keeps each poll to new mail. With several replicas, one
 * polls each mailbox: it holds a lease in the shared state, with a fencing token that its cursor
 * writes carry, so a poller that lost the lease cannot move the cursor under the new holder.
 */
@Injectable()
export class ImapPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<PollResult>>();
  /** This process, as a lease holder. */
  private readonly holder = randomUUID();

  constructor(
    private readonly intake: EmailIntakeService,
    private readonly state: EmailStateStore,
    @Inject(GATEWAY_STATE) private readonly shared: GatewayState,
    private readonly stats: EmailStats,
    @Inject(EMAIL_SETTINGS) private readonly settings: EmailSettings,
    private readonly log: PinoLogger,
  ) {
    log.setContext(ImapPoller.name);
  }

  onApplicationBootstrap(): void {
    const imap = this.settings.config.imap;
    if (!imap.enabled) return;
    for (const account of imap.accounts) this.schedule(account, 0);
  }

  private schedule(account: ImapAccountConfig, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.pollNow(account.id)
        .catch(() => undefined)
        .finally(() =>
          this.schedule(account, this.settings.config.imap.pollIntervalSeconds * 1000),
        );
    }, delayMs);
    this.timers.add(timer);
  }

  /** Polls one account now (joining a poll already running for it). */
  pollNow(accountId: string): Promise<PollResult> {
    const current = this.running.get(accountId);
    if (current) return current;
    const account = this.settings.config.imap.accounts.find((a) => a.id === accountId);
    if (!account) return Promise.reject(new Error(`unknown IMAP account ${accountId}`));
    const run = this.poll(account).finally(() => this.running.delete(accountId));
    this.running.set(accountId, run);
    return run;
  }

  private leaseName(account: ImapAccountConfig): string {
    return `imap:${account.id}:${account.mailbox}`;
  }

  private async poll(account: ImapAccountConfig): Promise<PollResult> {
    const result: PollResult = { imported: 0, duplicates: 0, deadLettered: 0, interrupted: false };
    const lease = await this.shared.lease(this.leaseName(account), this.holder, IMAP_LEASE_TTL_MS);
    if (!lease.granted) return { ...result, skipped: 'lease-held-elsewhere' };
    this.stats.imapPolls++;
    const client = new ImapFlow({
      host: account.host,
      port: account.port,
      secure: account.secure,
      auth: { user: account.user, pass: this.settings.env.passwords[account.passwordEnv] ?? '' },
      tls: { rejectUnauthorized: !account.allowSelfSigned },
      logger: false,
      disableAutoIdle: true,
    });
    // A dropped connection surfaces as an 'error' event; the current command rejects as well.
    client.on('error', () => undefined);
    try {
      await client.connect();
      const lock = await client.getMailboxLock(account.mailbox);
      try {
        await this.drainMailbox(client, account, result, lease.token);
      } finally {
        lock.release();
      }
      await client.logout();
    } catch (error) {
      this.stats.imapErrors++;
      this.log.warn(
        {
          account: account.id,
          error: (error as Error).name,
          code: (error as { code?: unknown }).code,
        },
        'IMAP poll failed; retrying at the next interval',
      );
      client.close();
      throw error;
    }
    if (result.imported + result.deadLettered + result.duplicates > 0 || result.interrupted)
      this.log.info({ account: account.id, ...result }, 'IMAP poll done');
    return result;
  }

  private async drainMailbox(
    client: ImapFlow,
    account: ImapAccountConfig,
    result: PollResult,
    token: number,
  ): Promise<void> {
    const mailbox = client.mailbox;
    if (!mailbox) return;
    const uidValidity = String(mailbox.uidValidity);
    const saved = await this.state.cursor(account.id, account.mailbox);
    let lastUid = saved && saved.uidValidity === uidValidity ? saved.lastUid : 0;
    if (mailbox.exists === 0) return;
    // `N:*` always matches the highest UID even when it is below N (RFC 3501), hence the filter.
    const candidates = (
      await client.fetchAll(
        `${lastUid + 1}:*`,
        { uid: true, flags: true, size: true },
        { uid: true },
      )
    )
      .filter((m) => m.uid > lastUid)
      .sort((a, b) => a.uid - b.uid);
    const limits = this.settings.config.limits;
    for (const message of candidates) {
      if (this.stopped) break;
      // Renewed per message; lost (we stalled past its TTL), another replica polls now.
      const renewed = await this.shared.lease(
        this.leaseName(account),
        this.holder,
        IMAP_LEASE_TTL_MS,
      );
      if (!renewed.granted || renewed.token !== token) {
        result.interrupted = true;
        break;
      }
      const flags = message.flags ?? new Set<string>();
      if (!flags.has(IMPORTED_KEYWORD) && !flags.has(DEAD_LETTER_KEYWORD)) {
        const ctx = {
          source: `imap:${account.id}`,
          receivedAt: new Date(),
          correlationId: randomUUID(),
        };
        let keyword = IMPORTED_KEYWORD;
        try {
          if ((message.size ?? 0) > limits.maxMessageBytes) {
            // Not downloaded: it stays on the server, flagged, and the dead letter says where.
            await this.intake.deadLetter(
              null,
              'too-large',
              `message of ${message.size} bytes over the limit; left in ${account.id}/${account.mailbox} uid ${message.uid}`,
              ctx,
            );
            keyword = DEAD_LETTER_KEYWORD;
            result.deadLettered++;
          } else {
            const fetched = await client.fetchOne(
              String(message.uid),
              { uid: true, source: true },
              { uid: true },
            );
            if (!fetched || !fetched.source) continue;
            const outcome = await this.intake.ingest(fetched.source, {
              ...ctx,
              mode: 'imap',
              recipientIds: [account.recipient],
            });
            if (outcome.status === 'dead-lettered') {
              keyword = DEAD_LETTER_KEYWORD;
              result.deadLettered++;
            } else if (outcome.duplicate) result.duplicates++;
            else result.imported++;
          }
        } catch (error) {
          // Not durable (or the store failed): leave this and later mail for the next poll.
          result.interrupted = true;
          if (!(error instanceof NotDurableError))
            this.log.warn({ account: account.id, err: error }, 'IMAP message not imported');
          break;
        }
        await this.markHandled(client, account, message.uid, keyword);
      }
      lastUid = message.uid;
      const saved = await this.state.saveCursor(account.id, account.mailbox, {
        uidValidity,
        lastUid,
        token,
      });
      if (!saved) {
        result.interrupted = true;
        break;
      }
    }
  }

  private async markHandled(
    client: ImapFlow,
    account: ImapAccountConfig,
    uid: number,
    keyword: string,
  ): Promise<void> {
    const flags = account.markSeen ? [keyword, '\\Seen'] : [keyword];
    await client.messageFlagsAdd(String(uid), flags, { uid: true });
    if (account.moveTo && keyword === IMPORTED_KEYWORD)
      await client.messageMove(String(uid), account.moveTo, { uid: true });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
    // Hand the mailboxes over now rather than after the lease's TTL.
    for (const account of this.settings.config.imap.accounts) {
      await this.shared.releaseLease(this.leaseName(account), this.holder).catch(() => undefined);
    }
  }
}
