import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
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
import { ConfigError, validateConfig } from './validate-config';

export class RecipientConfig {
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'must be a lower-case slug (a-z, 0-9, -)' })
  id!: string;

  @IsString()
  @MinLength(1)
  name!: string;

  @IsIn(['leader', 'office', 'unit'])
  kind!: 'leader' | 'office' | 'unit';

  @IsOptional()
  @IsString()
  county?: string;
}

export class HotlineConfig {
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'must be an E.164 number such as +8613800000001' })
  number!: string;

  @IsString()
  recipient!: string;
}

/**
 * A sender's request budget (token bucket): `burst` requests at once, refilled at `perMinute`.
 * Over it, the sender gets 429 with Retry-After.
 */
export class RateLimitConfig {
  @IsInt()
  @Min(1)
  @Max(100000)
  burst = 60;

  @IsInt()
  @Min(1)
  @Max(1000000)
  perMinute = 600;
}

const SLUG = /^[a-z0-9][a-z0-9-]{1,63}$/;
const SLUG_MESSAGE = { message: 'must be a lower-case slug (a-z, 0-9, -)' };

/**
 * An SMS gateway or modem pool that pushes inbound messages as signed JSON. The shared secret is
 * never written in this file: it is named by an environment variable (`secretEnv`, which must end
 * in `_SECRET`) or read from a file (`secretFile`, e.g. a mounted Kubernetes/Docker secret).
 */
export class SmsGatewayConfig {
  @Matches(SLUG, SLUG_MESSAGE)
  id!: string;

  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9_]*_SECRET$/, {
    message: 'must be an environment variable name ending in _SECRET',
  })
  secretEnv?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  secretFile?: string;

  /** How far X-Timestamp may be from our clock before a request counts as a replay. */
  @IsInt()
  @Min(10)
  @Max(3600)
  replayWindowSeconds = 300;

  /** Most messages accepted in one push. */
  @IsInt()
  @Min(1)
  @Max(1000)
  maxBatch = 100;

  /** How long the parts of a concatenated SMS are awaited before what arrived is published. */
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  multipartTimeoutSeconds = 600;

  /** Requests this gateway may make (per gateway id, whatever address it comes from). */
  @ValidateNested()
  @Type(() => RateLimitConfig)
  rateLimit: RateLimitConfig = new RateLimitConfig();
}

export class SmsChannelConfig {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => HotlineConfig)
  hotlines: HotlineConfig[] = [];

  @IsArray()
  @ArrayUnique((g: SmsGatewayConfig) => g.id, { message: 'gateway ids must be unique' })
  @ValidateNested({ each: true })
  @Type(() => SmsGatewayConfig)
  gateways: SmsGatewayConfig[] = [];
}

export class AttachmentLimits {
  /** 0 forbids attachments. */
  @IsInt()
  @Min(0)
  @Max(20)
  maxFiles = 3;

  @IsInt()
  @Min(1)
  @Max(50 * 1024 * 1024)
  maxBytes = 5 * 1024 * 1024;

  /** Allowed MIME types, e.g. image/jpeg, application/pdf. */
  @IsArray()
  @Matches(/^[a-z]+\/[a-z0-9.+-]+$/, { each: true, message: 'must be MIME types like image/png' })
  types: string[] = ['image/jpeg', 'image/png', 'application/pdf'];
}

/** A leader mailbox (领导信箱) form on a government website. */
export class MailboxConfig {
  @Matches(SLUG, SLUG_MESSAGE)
  id!: string;

  /** The heading the page shows, e.g. 忠县县长信箱. */
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  title!: string;

  @IsString()
  recipient!: string;

  /** Real-name mailboxes require an 18-digit resident ID number (GB 11643). */
  @IsBoolean()
  requireIdNumber = false;

  @ValidateNested()
  @Type(() => AttachmentLimits)
  attachments: AttachmentLimits = new AttachmentLimits();
}

/** A message board scrapers report on (人民网领导留言板, a city's 网络问政 board…). */
export class BoardConfig {
  @Matches(SLUG, SLUG_MESSAGE)
  id!: string;

  @IsString()
  @MinLength(1)
  name!: string;

  /** Who a post is addressed to when the scraper cannot tell. */
  @IsOptional()
  @IsString()
  recipient?: string;

  /**
   * Where a post's authorId is an account: boards of one site share their accounts, so give them
   * one scope (the person posting to two 人民网 leaders is one person). Defaults to the board id.
   */
  @IsOptional()
  @Matches(SLUG, SLUG_MESSAGE)
  accountScope?: string;
}

/** A scraper's API key: only its SHA-256 is stored, so this file leaks no credential. */
export class BoardScraperConfig {
  @Matches(SLUG, SLUG_MESSAGE)
  id!: string;

  @Matches(/^[0-9a-f]{64}$/, { message: 'must be the lower-case hex SHA-256 of the key' })
  keyHash!: string;

  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  boards!: string[];

  /** Requests this scraper's key may make (per key, whatever address it comes from). */
  @ValidateNested()
  @Type(() => RateLimitConfig)
  rateLimit: RateLimitConfig = new RateLimitConfig();
}

export class BoardChannelConfig {
  @IsInt()
  @Min(1)
  @Max(1000)
  maxBatch = 100;

  @IsArray()
  @ArrayUnique((b: BoardConfig) => b.id, { message: 'board ids must be unique' })
  @ValidateNested({ each: true })
  @Type(() => BoardConfig)
  boards: BoardConfig[] = [];

  @IsArray()
  @ArrayUnique((s: BoardScraperConfig) => s.id, { message: 'scraper ids must be unique' })
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => BoardScraperConfig)
  scrapers: BoardScraperConfig[] = [];
}

export class ReceiptTemplates {
  /** SMS receipt; `{petitionId}` is replaced by the tracking number. */
  @IsString()
  @MaxLength(300)
  @Matches(/\{petitionId\}/, { message: 'must contain {petitionId}' })
  sms!: string;
}

export class ChannelsConfig {
  @ValidateNested()
  @Type(() => ReceiptTemplates)
  receipts!: ReceiptTemplates;

  @IsArray()
  @ArrayUnique((r: RecipientConfig) => r.id, { message: 'recipient ids must be unique' })
  @ValidateNested({ each: true })
  @Type(() => RecipientConfig)
  recipients!: RecipientConfig[];

  @ValidateNested()
  @Type(() => SmsChannelConfig)
  sms: SmsChannelConfig = new SmsChannelConfig();

  @IsArray()
  @ArrayUnique((m: MailboxConfig) => m.id, { message: 'mailbox ids must be unique' })
  @ValidateNested({ each: true })
  @Type(() => MailboxConfig)
  mailboxes: MailboxConfig[] = [];

  @ValidateNested()
  @Type(() => BoardChannelConfig)
  board: BoardChannelConfig = new BoardChannelConfig();
}

/** Cross-field checks class-validator cannot express: references and uniqueness across lists. */
function checkReferences(config: ChannelsConfig, source: string): void {
  const ids = new Set(config.recipients.map((r) => r.id));
  const problems: string[] = [];
  const numbers = new Set<string>();
  config.sms.hotlines.forEach((h, i) => {
    if (!ids.has(h.recipient))
      problems.push(`sms.hotlines.${i}.recipient: unknown recipient "${h.recipient}"`);
    if (numbers.has(h.number)) problems.push(`sms.hotlines.${i}.number: duplicate hotline number`);
    numbers.add(h.number);
  });
  config.sms.gateways.forEach((g, i) => {
    if ((g.secretEnv === undefined) === (g.secretFile === undefined))
      problems.push(`sms.gateways.${i}: exactly one of secretEnv or secretFile is required`);
  });
  config.mailboxes.forEach((m, i) => {
    if (!ids.has(m.recipient))
      problems.push(`mailboxes.${i}.recipient: unknown recipient "${m.recipient}"`);
  });
  const boards = new Set(config.board.boards.map((b) => b.id));
  config.board.boards.forEach((b, i) => {
    if (b.recipient !== undefined && !ids.has(b.recipient))
      problems.push(`board.boards.${i}.recipient: unknown recipient "${b.recipient}"`);
  });
  const hashes = new Set<string>();
  config.board.scrapers.forEach((s, i) => {
    s.boards.forEach((b, j) => {
      if (!boards.has(b)) problems.push(`board.scrapers.${i}.boards.${j}: unknown board "${b}"`);
    });
    if (hashes.has(s.keyHash)) problems.push(`board.scrapers.${i}.keyHash: duplicate key`);
    hashes.add(s.keyHash);
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
}

export function parseChannelsConfig(yamlText: string, source = 'channels config'): ChannelsConfig {
  let plain: unknown;
  try {
    plain = parse(yamlText);
  } catch (error) {
    throw new ConfigError(source, [`not valid YAML: ${(error as Error).message}`]);
  }
  const config = validateConfig(ChannelsConfig, plain, source);
  checkReferences(config, source);
  return config;
}

export function loadChannelsConfig(path: string): ChannelsConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read file: ${(error as Error).message}`]);
  }
  return parseChannelsConfig(text, path);
}
