import { Transform, type ClassConstructor } from 'class-transformer';
import {
  getMetadataStorage,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { validateConfig } from './validate-config';

/** Environment values are strings; numeric fields accept only plain digit strings. */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** What every app of ours reads from the environment: Kafka, topics and logging. */
export abstract class KafkaAppEnv {
  @IsString()
  @MinLength(3)
  KAFKA_BROKERS!: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  TOPIC_PARTITIONS = 6;

  /** Prefix for every topic name (e.g. `staging.`), so deployments can share a cluster. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{0,100}$/)
  TOPIC_NAMESPACE = '';

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Write logs to this file (appended, created if needed) instead of stdout. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  LOG_FILE?: string;
}

/**
 * Validates the variables an env class declares (found from its validation metadata, so a
 * required variable without a default is never forgotten); unrelated variables are not errors,
 * and empty values count as unset.
 */
export function loadEnv<T extends object>(cls: ClassConstructor<T>, env: NodeJS.ProcessEnv): T {
  const known = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(cls, '', true, false)
      .map((m) => m.propertyName),
  );
  const picked = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => known.has(k) && v !== ''),
  );
  return validateConfig(cls, picked, 'environment');
}
