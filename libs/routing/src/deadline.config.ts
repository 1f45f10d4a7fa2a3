import { ConfigReader, readYamlFile } from './config.reader';

/** The channels the gateway receives on. */
export const CHANNELS = ['sms', 'email', 'mailbox', 'board'] as const;
export type RoutingChannel = (typeof CHANNELS)[number];

export const DAY_KINDS = ['calendar', 'working'] as const;
export type DayKind = (typeof DAY_KINDS)[number];

export interface DeadlineRule {
  /** Name reported with the deadlines, e.g. fuling-12320. */
  readonly policy: string;
  readonly dayKind: DayKind;
  readonly registerWithinDays: number;
  readonly acceptWithinDays: number;
  readonly finishWithinDays: number;
}

export interface DeadlinePolicy {
  readonly default: DeadlineRule;
  /** Fully resolved rule per channel that overrides any field of the default. */
  readonly channels: ReadonlyMap<RoutingChannel, DeadlineRule>;
  /** Asia/Shanghai dates as day numbers since 1970-01-01 that are not working days. */
  readonly holidays: ReadonlySet<number>;
  /** Asia/Shanghai dates as day numbers that are working days although Saturday or Sunday (调休). */
  readonly makeupWorkdays: ReadonlySet<number>;
}

const RULE_KEYS = [
  'policy',
  'dayKind',
  'registerWithinDays',
  'acceptWithinDays',
  'finishWithinDays',
] as const;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Validates a parsed deadline policy document. `file` names the source in errors. */
export function parseDeadlinePolicy(raw: unknown, file = '<deadlines>'): DeadlinePolicy {
  const reader = new ConfigReader(file);
  const root = reader.record(raw, '');
  reader.onlyKeys(root, '', ['default', 'channels', 'holidays', 'makeupWorkdays']);

  const base = reader.record(root.default, 'default');
  reader.onlyKeys(base, 'default', RULE_KEYS);
  const fallback = readRule(reader, base, 'default', undefined);

  const channels = new Map<RoutingChannel, DeadlineRule>();
  if (root.channels !== undefined && root.channels !== null) {
    for (const [channel, value] of Object.entries(reader.record(root.channels, 'channels'))) {
      const field = `channels.${channel}`;
      const known = reader.oneOf(channel, field, CHANNELS);
      const entry = reader.record(value, field);
      reader.onlyKeys(entry, field, RULE_KEYS);
      channels.set(known, readRule(reader, entry, field, fallback));
    }
  }
  return {
    default: fallback,
    channels,
    holidays: readDates(reader, root.holidays, 'holidays'),
    makeupWorkdays: readDates(reader, root.makeupWorkdays, 'makeupWorkdays'),
  };
}

/** Reads and validates a deadline policy YAML file. */
export function loadDeadlinePolicy(path: string): DeadlinePolicy {
  return parseDeadlinePolicy(readYamlFile(path), path);
}

function readRule(
  reader: ConfigReader,
  entry: Record<string, unknown>,
  field: string,
  inherit: DeadlineRule | undefined,
): DeadlineRule {
  const pick = <K extends keyof DeadlineRule>(
    key: K,
    read: (value: unknown, at: string) => DeadlineRule[K],
  ) =>
    entry[key] === undefined && inherit !== undefined
      ? inherit[key]
      : read(entry[key], `${field}.${key}`);
  const rule: DeadlineRule = {
    policy: pick('policy', (v, at) => reader.text(v, at)),
    dayKind: pick('dayKind', (v, at) => reader.oneOf(v, at, DAY_KINDS)),
    registerWithinDays: pick('registerWithinDays', (v, at) => reader.wholeNumber(v, at)),
    acceptWithinDays: pick('acceptWithinDays', (v, at) => reader.wholeNumber(v, at)),
    finishWithinDays: pick('finishWithinDays', (v, at) => reader.wholeNumber(v, at)),
  };
  // An item cannot be accepted before it is registered nor finished before it is accepted.
  if (rule.acceptWithinDays < rule.registerWithinDays) {
    reader.fail(`${field}.acceptWithinDays`, 'must not be shorter than registerWithinDays');
  }
  if (rule.finishWithinDays < rule.acceptWithinDays) {
    reader.fail(`${field}.finishWithinDays`, 'must not be shorter than acceptWithinDays');
  }
  return rule;
}

function readDates(reader: ConfigReader, value: unknown, field: string): ReadonlySet<number> {
  const days = new Set<number>();
  reader.optionalList(value, field).forEach((item, i) => {
    const at = `${field}[${i}]`;
    const match = typeof item === 'string' ? ISO_DATE.exec(item) : null;
    if (match === null) reader.fail(at, 'must be a date written YYYY-MM-DD');
    const [, y, m, d] = match.map(Number);
    const ms = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 0);
    const check = new Date(ms);
    if (check.getUTCMonth() + 1 !== m || check.getUTCDate() !== d)
      reader.fail(at, `${String(item)} is not a date`);
    days.add(ms / DAY_MS);
  });
  return days;
}
