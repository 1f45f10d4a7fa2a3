import { ConfigError } from '@app/config';
import { loadNormalizerEnv } from './normalizer.env';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', IDENTITY_KEY_SECRET: 's'.repeat(32) };

describe('loadNormalizerEnv: dedup windows', () => {
  it('defaults to 30-day duplicate and cluster windows', () => {
    expect(loadNormalizerEnv(base)).toMatchObject({
      DUPLICATE_WINDOW_DAYS: 30,
      CLUSTER_WINDOW_DAYS: 30,
      CLUSTER_ALERT_SIZE: 5,
      CLUSTER_ALERT_WINDOW_DAYS: 7,
    });
  });

  it('reads a longer cluster window for hot issues that recur over years', () => {
    expect(loadNormalizerEnv({ ...base, CLUSTER_WINDOW_DAYS: '1095' }).CLUSTER_WINDOW_DAYS).toBe(
      1095,
    );
  });

  it.each(['0', '3651', 'a year'])('refuses CLUSTER_WINDOW_DAYS=%s, naming it', (value) => {
    expect(() => loadNormalizerEnv({ ...base, CLUSTER_WINDOW_DAYS: value })).toThrow(ConfigError);
    expect(() => loadNormalizerEnv({ ...base, CLUSTER_WINDOW_DAYS: value })).toThrow(
      /CLUSTER_WINDOW_DAYS/,
    );
  });
});
