import { logLevel } from 'kafkajs';
import { kafkaLogLevel } from './kafka-log-level';

// Entries as kafkajs writes them (seen in our own logs): a Connection's error response, and the
// Producer's "Failed to send messages" before it retries.
describe('kafkaLogLevel', () => {
  it.each([
    ['Response GroupCoordinator(key: 10, version: 2)', 'The group coordinator is not available'],
    [
      'Response InitProducerId(key: 22, version: 1)',
      "The coordinator is loading and hence can't process requests for this group",
    ],
    [
      'Response AddPartitionsToTxn(key: 24, version: 1)',
      'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
    ],
    [
      'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      undefined,
    ],
  ])('a broker error kafkajs retries is a warning: %s', (message, error) => {
    expect(kafkaLogLevel(logLevel.ERROR, message, error)).toBe('warn');
  });

  it.each([
    [
      'Response Produce(key: 0, version: 7)',
      'Not authorized to access topics: [Topic authorization failed]',
    ],
    [
      'Response EndTxn(key: 26, version: 1)',
      'The producer attempted a transactional operation in an invalid state',
    ],
    ['Connection error: connect ECONNREFUSED 127.0.0.1:9092', undefined],
    ['Crash: KafkaJSNumberOfRetriesExceeded: Connection error', undefined],
    [
      "Crash: KafkaJSNumberOfRetriesExceeded: The coordinator is loading and hence can't process requests for this group",
      undefined,
    ],
    ['Response Produce(key: 0, version: 7)', undefined],
  ])('what kafkajs does not retry stays an error: %s', (message, error) => {
    expect(kafkaLogLevel(logLevel.ERROR, message, error)).toBe('error');
  });

  it('keeps the other levels as kafkajs gave them', () => {
    expect(kafkaLogLevel(logLevel.WARN, 'x', undefined)).toBe('warn');
    expect(kafkaLogLevel(logLevel.INFO, 'x', undefined)).toBe('info');
    expect(kafkaLogLevel(logLevel.DEBUG, 'x', undefined)).toBe('debug');
  });
});
