import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError, type ChannelsConfig, validateConfig } from '@app/config';

const SLUG = /^[a-z0-9][a-z0-9-]{1,63}$/;
const SLUG_MESSAGE = { message: 'must be a lower-case slug (a-z, 0-9, -)' };
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
const ENV_MESSAGE = {
  message: 'must name an environment variable (A-Z, 0-9, _), never a password',
};

/** One of our inbound addresses and the recipient (channels.yaml) it belongs to. */
export class EmailAddressConfig {
  @IsEmail({ require_tld: false })
  address!: string;

  @IsString()
  recipient!: string;
}

export class EmailLimits {
  /** Larger messages are refused by the SMTP listener (552) and dead-lettered by the poller. */
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  maxMessageBytes = 25 * 1024 * 1024;

  /** Attachments kept per message; the rest are skipped (counted in meta.attachmentsSkipped). */
  @IsInt()
  @Min(0)
  @Max(100)
  maxAttachments = 10;

  @IsInt()
  @Min(1)
  @Max(100 * 1024 * 1024)
  maxAttachmentBytes = 10 * 1024 * 1024;
}

/** An IMAP mailbox polled for petitions. */
export class ImapAccountConfig {
  @Matches(SLUG, SLUG_MESSAGE)
  id!: string;

  @IsString()
  @MinLength(1)
  host!: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  port = 993;

  /** TLS from the first byte (993); false means plain or STARTTLS when the server offers it. */
  @IsBoolean()
  secure = true;

  /** Accept a self-signed server certificate (test servers only). */
  @IsBoolean()
  allowSelfSigned = false;

  @IsString()
  @MinLength(1)
  user!: string;

  @Matches(ENV_NAME, ENV_MESSAGE)
  passwordEnv!: string;

  @IsString()
  @MinLength(1)
  mailbox = 'INBOX';

  /** Recipient id in channels.yaml: whom mail in this mailbox is addressed to. */
  @IsString()
  recipient!: string;

  /** Also set \Seen on imported mail (our own keyword is always set). */
  @IsBoolean()
  markSeen = false;

  /** Move imported mail to this folder (after it is durable) instead of only flagging it. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  moveTo?: string;
}

export class ImapConfig {
  @IsBoolean()
  enabled = false;

  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  pollIntervalSeconds = 60;

  @IsArray()
  @ArrayUnique((a: ImapAccountConfig) => a.id, { message: 'account ids must be unique' })
  @ValidateNested({ each: true })
  @Type(() => ImapAccountConfig)
  accounts: ImapAccountConfig[] = [];
}

/** The inbound SMTP listener for agencies that route mail to the gateway. */
export class SmtpListenerConfig {
  @IsBoolean()
  enabled = false;

  @IsString()
  host = '127.0.0.1';

  /** 0 picks a free port (tests). */
  @IsInt()
  @Min(0)
  @Max(65535)
  port = 2525;

  /** The name in our greeting and Received lines; ownDomain when unset. */
  @IsOptional()
  @IsString()
  hostname?: string;

  /** Client IPs allowed to deliver; empty allows any (put the listener behind a firewall). */
  @IsArray()
  @IsString({ each: true })
  allowedClients: string[] = [];

  /** PEM files for STARTTLS; without them STARTTLS is not offered. */
  @IsOptional()
  @IsString()
  tlsKeyFile?: string;

  @IsOptional()
  @IsString()
  tlsCertFile?: string;
}

export class ReceiptSmtpConfig {
  @IsString()
  @MinLength(1)
  host!: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  port = 587;

  @IsBoolean()
  secure = false;

  /** Test servers only: do not upgrade to TLS (no STARTTLS). */
  @IsBoolean()
  ignoreTls = false;

  @IsOptional()
  @IsString()
  user?: string;

  @IsOptional()
  @Matches(ENV_NAME, ENV_MESSAGE)
  passwordEnv?: string;
}

/** Auto-reply receipts (回执) carrying the tracking number. */
export class ReceiptConfig {
  @IsBoolean()
  enabled = false;

  @IsEmail({ require_tld: false })
  fromAddress!: string;

  @IsString()
  @MaxLength(100)
  fromName = '信访受理中心';

  /** Receipts one sender address can get per hour (counted in memory, per gateway process). */
  @IsInt()
  @Min(1)
  @Max(1000)
  maxPerSenderPerHour = 5;

  @ValidateNested()
  @Type(() => ReceiptSmtpConfig)
  smtp!: ReceiptSmtpConfig;
}

export class EmailConfig {
  /** The domain of our own Message-IDs (receipts): mail carrying it is never answered. */
  @Matches(/^[a-z0-9.-]+$/i, { message: 'must be a domain name' })
  ownDomain = 'gateway.local';

  @ValidateNested()
  @Type(() => EmailLimits)
  limits: EmailLimits = new EmailLimits();

  @IsArray()
  @ArrayUnique((a: EmailAddressConfig) => a.address.toLowerCase(), {
    message: 'addresses must be unique',
  })
  @ValidateNested({ each: true })
  @Type(() => EmailAddressConfig)
  addresses: EmailAddressConfig[] = [];

  @ValidateNested()
  @Type(() => ImapConfig)
  imap: ImapConfig = new ImapConfig();

  @ValidateNested()
  @Type(() => SmtpListenerConfig)
  smtpListener: SmtpListenerConfig = new SmtpListenerConfig();

  @IsOptional()
  @ValidateNested()
  @Type(() => ReceiptConfig)
  receipts?: ReceiptConfig;
}

/** Cross-field checks: recipients exist, enabled parts have what they need. */
function check(config: EmailConfig, channels: ChannelsConfig, source: string): void {
  const ids = new Set(channels.recipients.map((r) => r.id));
  const problems: string[] = [];
  config.addresses.forEach((a, i) => {
    if (!ids.has(a.recipient))
      problems.push(`addresses.${i}.recipient: unknown recipient "${a.recipient}"`);
  });
  config.imap.accounts.forEach((a, i) => {
    if (!ids.has(a.recipient))
      problems.push(`imap.accounts.${i}.recipient: unknown recipient "${a.recipient}"`);
  });
  if (config.imap.enabled && config.imap.accounts.length === 0)
    problems.push('imap.accounts: at least one account is needed when imap is enabled');
  if (config.smtpListener.enabled && config.addresses.length === 0)
    problems.push('addresses: the SMTP listener accepts mail only for listed addresses');
  if (
    (config.smtpListener.tlsKeyFile === undefined) !==
    (config.smtpListener.tlsCertFile === undefined)
  )
    problems.push('smtpListener: tlsKeyFile and tlsCertFile go together');
  if (problems.length > 0) throw new ConfigError(source, problems);
}

export function parseEmailConfig(
  yamlText: string,
  channels: ChannelsConfig,
  source = 'email config',
): EmailConfig {
  let plain: unknown;
  try {
    plain = parse(yamlText) ?? {};
  } catch (error) {
    throw new ConfigError(source, [`not valid YAML: ${(error as Error).message}`]);
  }
  const config = validateConfig(EmailConfig, plain, source);
  for (const a of config.addresses) a.address = a.address.toLowerCase();
  check(config, channels, source);
  return config;
}

/** The config at `path`; a missing file means email is off (so `npm start` needs no mail server). */
export function loadEmailConfig(path: string, channels: ChannelsConfig): EmailConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new EmailConfig();
    throw new ConfigError(path, [`cannot read file: ${(error as Error).message}`]);
  }
  return parseEmailConfig(text, channels, path);
}

/** Whether any part of the channel runs at all. */
export function emailEnabled(config: EmailConfig): boolean {
  return config.imap.enabled || config.smtpListener.enabled;
}
