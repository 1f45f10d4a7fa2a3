import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { NotDurableError } from '../../http/channel-errors';
import { EmailIntakeService } from './email-intake.service';
import { EMAIL_SETTINGS, type EmailSettings } from './email.tokens';

/** An SMTP reply with a code, as smtp-server renders errors. */
function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * Inbound SMTP for agencies that route petition mail to the gateway. RCPT TO is checked against
 * our configured addresses (550 otherwise); DATA is answered 250 only once the petition (or, for
 * bytes that are no petition, the dead letter with the raw message) is durable on Kafka; 451 when
 * it is not, so the sending MTA keeps the message and retries. Oversized messages get 552.
 */
@Injectable()
export class SmtpIntakeListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server?: SMTPServer;

  constructor(
    private readonly intake: EmailIntakeService,
    @Inject(EMAIL_SETTINGS) private readonly settings: EmailSettings,
    private readonly log: PinoLogger,
  ) {
    log.setContext(SmtpIntakeListener.name);
  }

  /** The port actually listened on (the configured one may be 0), or null when off. */
  port(): number | null {
    const address = this.server?.server.address() as AddressInfo | null | undefined;
    return address?.port ?? null;
  }

  async onApplicationBootstrap(): Promise<void> {
    const cfg = this.settings.config.smtpListener;
    if (!cfg.enabled) return;
    const limits = this.settings.config.limits;
    const tls =
      cfg.tlsKeyFile && cfg.tlsCertFile
        ? { key: readFileSync(cfg.tlsKeyFile), cert: readFileSync(cfg.tlsCertFile) }
        : null;
    const server = new SMTPServer({
      name: cfg.hostname ?? this.settings.config.ownDomain,
      banner: 'petition intake',
      size: limits.maxMessageBytes,
      authOptional: true,
      disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      ...(tls ?? {}),
      logger: false,
      closeTimeout: 5000,
      onConnect: (session, callback) => {
        if (cfg.allowedClients.length > 0 && !cfg.allowedClients.includes(session.remoteAddress))
          return callback(smtpError(554, '5.7.1 this client may not deliver here'));
        callback();
      },
      onRcptTo: (address, _session, callback) => {
        if (!this.intake.recipientForAddress(address.address))
          return callback(smtpError(550, '5.1.1 no such petition mailbox here'));
        callback();
      },
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(
          (message) => callback(null, message),
          (error: Error) => callback(error),
        );
      },
    });
    server.on('error', (error) => this.log.warn({ err: error }, 'SMTP listener error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(cfg.port, cfg.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.info({ port: this.port() }, 'SMTP listener started');
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded)
      throw smtpError(552, '5.3.4 message too large for the petition gateway');
    const raw = Buffer.concat(chunks);
    const envelope = session.envelope;
    const recipientIds = envelope.rcptTo
      .map((r) => this.intake.recipientForAddress(r.address))
      .filter((id): id is string => id !== null);
    const envelopeFrom = envelope.mailFrom === false ? '' : envelope.mailFrom.address;
    try {
      const outcome = await this.intake.ingest(raw, {
        mode: 'smtp',
        source: 'smtp',
        recipientIds,
        envelopeFrom,
        receivedAt: new Date(),
        correlationId: session.id || randomUUID(),
      });
      // Dead-lettered mail is kept (raw bytes and a dead letter): accepting it stops the sender
      // from retrying bytes that will never parse, and nothing is lost.
      return outcome.status === 'accepted'
        ? `2.0.0 accepted as ${outcome.petitionId}`
        : '2.0.0 kept for manual review';
    } catch (error) {
      if (!(error instanceof NotDurableError))
        this.log.warn({ err: error }, 'SMTP delivery failed before it was durable');
      throw smtpError(451, '4.3.0 not stored yet, try again later');
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
