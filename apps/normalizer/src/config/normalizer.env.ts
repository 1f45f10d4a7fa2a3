import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { KafkaAppEnv, loadEnv, toInt } from '@app/config';

/** The normalizer's environment, validated once at boot; the only reader of process.env. */
export class NormalizerEnv extends KafkaAppEnv {
  @IsOptional()
  @IsString()
  KAFKA_CLIENT_ID = 'petition-normalizer';

  @IsOptional()
  @IsString()
  @MinLength(1)
  NORMALIZER_GROUP_ID = 'petition-normalizer';

  /**
   * Stable per instance: Kafka fences an older process with the same transactional id, so a
   * restarted normalizer can never commit alongside its zombie. Set it per replica.
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  NORMALIZER_INSTANCE_ID = 'normalizer-0';

  /** GET /health and GET /metrics (Prometheus); 0 picks a free port. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  NORMALIZER_PORT = 3001;

  @IsOptional()
  @IsString()
  NORMALIZER_HOST = '0.0.0.0';

  /** Embedded state (replay keys, dedup fingerprints); survives restarts. */
  @IsOptional()
  @IsString()
  STATE_DIR = '.cache/normalizer-state';

  @IsOptional()
  @IsString()
  CHANNELS_CONFIG = 'config/channels.yaml';

  @IsOptional()
  @IsString()
  DEFAULT_PHONE_REGION = 'CN';

  /** Key of the identity hash that links one person across channels. Keep it secret and stable. */
  @IsString()
  @MinLength(16)
  IDENTITY_KEY_SECRET!: string;

  /** When set, dedup and replay state is shared in Redis by every normalizer instance. */
  @IsOptional()
  @IsString()
  REDIS_URL?: string;

  /** Folder with gazetteer.yaml, urgency.yaml, routing.yaml, deadlines.yaml, intents.yaml, classify-rules.yaml. */
  @IsOptional()
  @IsString()
  JUDGEMENT_CONFIG_DIR = 'config';

  /** The category model file (`npm run train` writes one). */
  @IsOptional()
  @IsString()
  CATEGORY_MODEL = 'libs/classify/model/category-model.json';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  DUPLICATE_WINDOW_DAYS = 30;

  /**
   * How far back a petition may join another's same-issue cluster. 30 days keeps clusters to one
   * wave of complaints; a hot issue that recurs over years (one gold group spans 2017–2019) needs
   * a longer window, at the price of looser clusters.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  CLUSTER_WINDOW_DAYS = 30;

  /** Distinct people in one same-issue cluster that raise an alert on petition.clusters.v1. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(100000)
  CLUSTER_ALERT_SIZE = 5;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  CLUSTER_ALERT_WINDOW_DAYS = 7;
}

export function loadNormalizerEnv(env: NodeJS.ProcessEnv = process.env): NormalizerEnv {
  return loadEnv(NormalizerEnv, env);
}
