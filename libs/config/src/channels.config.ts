import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
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

export class SmsChannelConfig {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => HotlineConfig)
  hotlines: HotlineConfig[] = [];
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
