import { Module } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, type ChannelsConfig } from '@app/config';
import type { GatewayEnv } from '../../config/gateway.env';
import { CHANNELS_CONFIG, GATEWAY_ENV } from '../../config/tokens';
import { IntakeModule } from '../../intake/intake.module';
import { BlobStore } from './blob.store';
import { EmailIntakeService } from './email-intake.service';
import { EmailStateStore } from './email-state.store';
import { loadEmailConfig } from './email.config';
import { loadEmailEnv } from './email.env';
import { EMAIL_SETTINGS, EmailStats, type EmailSettings } from './email.tokens';
import { ImapPoller } from './imap.poller';
import { ReceiptSender } from './receipt.sender';
import { SmtpIntakeListener } from './smtp-intake.listener';

function emailSettings(gateway: GatewayEnv, channels: ChannelsConfig): EmailSettings {
  const env = loadEmailEnv();
  const path = resolve(env.EMAIL_CONFIG);
  // The default file may be absent (email off); a path someone set explicitly must exist.
  if (process.env.EMAIL_CONFIG && !existsSync(path))
    throw new ConfigError('environment', [`EMAIL_CONFIG: no such file ${path}`]);
  return {
    config: loadEmailConfig(path, channels),
    env,
    blobDir: resolve(env.EMAIL_BLOB_DIR ?? join(gateway.GATEWAY_STATE_DIR, 'blobs')),
    stateDir: gateway.GATEWAY_STATE_DIR,
  };
}

/**
 * Email as a channel: IMAP polling and an inbound SMTP listener sharing one parse → durable
 * publish path, plus receipts. Both modes are off unless config/email.yaml (EMAIL_CONFIG) enables
 * them; the module then only validates its config.
 */
@Module({
  imports: [IntakeModule],
  providers: [
    {
      provide: EMAIL_SETTINGS,
      inject: [GATEWAY_ENV, CHANNELS_CONFIG],
      useFactory: emailSettings,
    },
    {
      provide: BlobStore,
      inject: [EMAIL_SETTINGS],
      useFactory: (s: EmailSettings) => new BlobStore(s.blobDir),
    },
    EmailStateStore,
    EmailStats,
    ReceiptSender,
    EmailIntakeService,
    ImapPoller,
    SmtpIntakeListener,
  ],
  exports: [EmailIntakeService, ImapPoller, SmtpIntakeListener, ReceiptSender, EmailStats],
})
export class EmailModule {}
