export { sharedDataDir, readJsonl } from './shared-data';
export { TopicReader } from './topic-reader';
export type { ReadRecord } from './topic-reader';
export { startStack, testBrokers, TEST_TWILIO_TOKEN } from './stack';
export type { Stack, StackOptions } from './stack';
export { repoPath } from './repo-path';
export { postTwilio, twilioInbound, twilioSignature } from '../fixtures/sms-twilio/inbound';
export { OwnBroker } from './own-broker';
export { launchChromium } from './browser';
