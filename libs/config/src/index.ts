export { ConfigError, validateConfig } from './validate-config';
export {
  ChannelsConfig,
  RecipientConfig,
  HotlineConfig,
  SmsChannelConfig,
  SmsGatewayConfig,
  MailboxConfig,
  AttachmentLimits,
  BoardConfig,
  BoardScraperConfig,
  BoardChannelConfig,
  ReceiptTemplates,
  RateLimitConfig,
  loadChannelsConfig,
  parseChannelsConfig,
} from './channels.config';
export { RecipientDirectory } from './recipient-directory';
export { resolveSecret } from './secret-ref';
export type { SecretSource } from './secret-ref';
export { KafkaAppEnv, loadEnv, toInt } from './app-env';
