import { IsString, MinLength } from 'class-validator';
import { KafkaAppEnv, loadEnv } from './app-env';
import { ConfigError } from './validate-config';

class ExampleEnv extends KafkaAppEnv {
  @IsString()
  @MinLength(16)
  REQUIRED_SECRET!: string;
}

describe('loadEnv', () => {
  it('reads declared variables (inherited and own, with defaults) and ignores the rest', () => {
    const env = loadEnv(ExampleEnv, {
      KAFKA_BROKERS: '127.0.0.1:9092',
      TOPIC_PARTITIONS: '12',
      REQUIRED_SECRET: 'x'.repeat(16),
      PATH: '/usr/bin',
    });
    expect(env).toMatchObject({
      KAFKA_BROKERS: '127.0.0.1:9092',
      TOPIC_PARTITIONS: 12,
      TOPIC_NAMESPACE: '',
      LOG_LEVEL: 'info',
    });
    expect(env).not.toHaveProperty('PATH');
  });

  it.each([
    [{ REQUIRED_SECRET: 'x'.repeat(16) }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: '127.0.0.1:9092' }, 'REQUIRED_SECRET'],
    [
      { KAFKA_BROKERS: '127.0.0.1:9092', REQUIRED_SECRET: 'x'.repeat(16), TOPIC_PARTITIONS: 'six' },
      'TOPIC_PARTITIONS',
    ],
    [
      { KAFKA_BROKERS: '127.0.0.1:9092', REQUIRED_SECRET: 'x'.repeat(16), LOG_LEVEL: 'loud' },
      'LOG_LEVEL',
    ],
  ])('names the bad or missing variable (%j → %s)', (vars, name) => {
    let error: unknown;
    try {
      loadEnv(ExampleEnv, vars);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
  });
});
