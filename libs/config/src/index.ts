export { ConfigError, validateConfig } from './validate-config';
export {
  ChannelsConfig,
  RecipientConfig,
  HotlineConfig,
  SmsChannelConfig,
  ReceiptTemplates,
  loadChannelsConfig,
  parseChannelsConfig,
} from './channels.config';
export { RecipientDirectory } from './recipient-directory';
