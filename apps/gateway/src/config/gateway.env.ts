import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { KafkaAppEnv, loadEnv, toInt } from '@app/config';

/**
 * The gateway's environment, validated once at boot. This is the only place that reads
 * process.env; a bad value stops the process with a message naming the variable.
 */
export class GatewayEnv extends KafkaAppEnv {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsOptional()
  @IsString()
  HOST = '0.0.0.0';

  @IsOptional()
  @IsString()
  KAFKA_CLIENT_ID = 'petition-gateway';

  /**
   * How long an item may wait for Kafka's acknowledgement before it goes to the local spool
   * instead (and the sender is acknowledged once the spool has it on disk).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60000)
  PUBLISH_TIMEOUT_MS = 2000;

  /** The fsync'd spool for when Kafka is down or slow; the gateway refuses to start if it is not writable. */
  @IsOptional()
  @IsString()
  SPOOL_DIR = '.cache/gateway-spool';

  /** Bytes waiting in the spool beyond which new items get 503 + Retry-After. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  SPOOL_MAX_BYTES = 512 * 1024 * 1024;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @IsOptional()
  @IsString()
  CHANNELS_CONFIG = 'config/channels.yaml';

  /** Twilio signs webhooks with the account's auth token; without it every Twilio request is refused. */
  @IsOptional()
  @IsString()
  @MinLength(8)
  TWILIO_AUTH_TOKEN?: string;

  /** When set, only webhooks for this account are accepted. */
  @IsOptional()
  @IsString()
  TWILIO_ACCOUNT_SID?: string;

  /**
   * The URL the world uses to reach us (e.g. https://petitions.example.gov.cn behind a proxy):
   * Twilio signs that URL, not ours. When unset, it is rebuilt from the request.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL?: string;

  /**
   * Which X-Forwarded-* entries to believe, behind proxies you control: `false` (none: the socket's
   * address), a hop count (`1` = the address your one proxy appended, the rightmost
   * X-Forwarded-For entry; `true` means 1), or a comma-separated list of your proxies' addresses
   * and CIDRs. Never the leftmost entry: the client writes that one (a rate-limit bypass).
   */
  @IsOptional()
  @Matches(/^(true|false|[1-9]\d?|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count or a list of proxy addresses/CIDRs',
  })
  TRUST_PROXY = 'false';

  /** Longest a client may take to send a whole request (headers and body), then 408. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  REQUEST_TIMEOUT_MS = 30000;

  /** Longest a client may take to send its headers, then 408. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  HEADERS_TIMEOUT_MS = 10000;

  /** An open connection with no bytes either way for this long is closed (keep-alive included). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  IDLE_TIMEOUT_MS = 60000;

  /** Connections open at once on the public port; more are refused at accept (0 = no cap). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000000)
  MAX_CONNECTIONS = 2048;

  /**
   * Failed authentications (401/403 on /channels/*) one client address may make at once before
   * it is refused with 429 for a while; refilled at AUTH_FAILURE_PER_HOUR.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  AUTH_FAILURE_BURST = 20;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000000)
  AUTH_FAILURE_PER_HOUR = 120;

  /**
   * When set, /metrics and /health are served on this port only (on ADMIN_HOST), and the public
   * port answers 404 for them: operators' endpoints need not face the internet.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  ADMIN_PORT?: number;

  @IsOptional()
  @IsString()
  ADMIN_HOST = '127.0.0.1';

  /**
   * Where the gateway keeps state that must survive a restart (SMS segments awaiting their
   * siblings, board post revisions, mailbox duplicate fingerprints, attachment bytes).
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  GATEWAY_STATE_DIR = '.cache/gateway-state';

  /**
   * Redis for the state replicas must share (SMS parts, board revisions, mailbox re-posts, e-mail
   * threads and IMAP leases, rate limits), e.g. redis://10.0.0.5:6379/2. Unset: LMDB under
   * GATEWAY_STATE_DIR, for a single instance.
   */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, {
    message: 'GATEWAY_REDIS_URL must be a redis:// or rediss:// URL',
  })
  GATEWAY_REDIS_URL?: string;

  /** How often timed-out concatenated SMS groups are looked for (and published, flagged). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(600000)
  SMS_GATEWAY_SWEEP_INTERVAL_MS = 5000;

  /**
   * Key of the mailbox query code (查询码): HMAC-SHA256(key, tracking number), so codes need no
   * storage. Changing it invalidates every code handed out. Without it the mailbox answers 503.
   */
  @IsOptional()
  @IsString()
  @MinLength(16)
  MAILBOX_QUERY_CODE_SECRET?: string;

  /** A mailbox submission repeated within this window (same mailbox, phone, title, content) is the same petition. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600)
  MAILBOX_DUPLICATE_WINDOW_SECONDS = 600;

  /** Submissions one client address may make at once (token-bucket capacity). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  MAILBOX_RATE_BURST = 5;

  /** Sustained submissions per client address per hour (token-bucket refill rate). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000000)
  MAILBOX_RATE_PER_HOUR = 30;

  /**
   * Values of the `*_SECRET` variables channel config refers to by name (sms.gateways[].secretEnv).
   * Not enumerable, so it never appears when the settings are printed or logged.
   */
  declare readonly secrets: Readonly<Record<string, string>>;

  /**
   * Comma-separated channel routes (e.g. `sms/twilio`) whose signature checks run in shadow
   * mode: failures are logged and counted, not refused. Off (empty) by default.
   */
  @IsOptional()
  @Matches(/^[a-z0-9/,\s-]*$/)
  SIGNATURE_SHADOW_ROUTES = '';
}

export function loadGatewayEnv(env: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const validated = loadEnv(GatewayEnv, env);
  const secrets = Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => /^[A-Z][A-Z0-9_]*_SECRET$/.test(e[0]) && !!e[1],
    ),
  );
  Object.defineProperty(validated, 'secrets', { value: Object.freeze(secrets), enumerable: false });
  return validated;
}
