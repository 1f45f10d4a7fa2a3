import type { DeadlinePolicy, DeadlineRule, RoutingChannel } from './deadline.config';

export interface Deadlines {
  readonly policy: string;
  /** ISO-8601 UTC instants: 23:59:59 Asia/Shanghai of the last allowed day. */
  readonly registerBy: string;
  readonly acceptBy: string;
  readonly finishBy: string;
}

const DAY_MS = 86_400_000;
// Asia/Shanghai has been UTC+8 all year since 1991 (no daylight saving), so a fixed offset is exact.
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/**
 * Deadlines for an item received at `receivedAt` on `channel`.
 *
 * Counting follows the Civil Code's rule for periods in days (民法典 art. 201): the day of
 * receipt is not counted, so "within 1 day" ends at midnight of the next Shanghai day.
 * `calendar` counts every day. `working` counts Monday–Friday in Asia/Shanghai, minus the
 * policy's `holidays`, plus its `makeupWorkdays` (调休); public holidays that are not listed
 * are NOT known to this code. In calendar mode a period ending on a rest day is not extended.
 */
export function computeDeadlines(
  channel: RoutingChannel,
  receivedAt: Date,
  policy: DeadlinePolicy,
): Deadlines {
  const ms = receivedAt.getTime();
  if (Number.isNaN(ms)) throw new RangeError('receivedAt is not a valid date');
  const rule = policy.channels.get(channel) ?? policy.default;
  const day = Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
  const byDay = rulesCache(policy, rule);
  let known = byDay.get(day);
  if (known === undefined) {
    if (byDay.size >= MAX_CACHED_DAYS) byDay.clear();
    known = {
      policy: rule.policy,
      registerBy: endOfDay(lastDay(day, rule.registerWithinDays, rule, policy)),
      acceptBy: endOfDay(lastDay(day, rule.acceptWithinDays, rule, policy)),
      finishBy: endOfDay(lastDay(day, rule.finishWithinDays, rule, policy)),
    };
    byDay.set(day, known);
  }
  // A fresh object per call: callers own what they get.
  return { ...known };
}

// Items arrive on a handful of days at a time, and counting working days plus formatting three
// ISO strings cost more than the rest of routing: results are kept per policy, rule and day of
// receipt. Config objects are immutable once loaded.
const MAX_CACHED_DAYS = 4096;
const cache = new WeakMap<DeadlinePolicy, Map<DeadlineRule, Map<number, Deadlines>>>();

function rulesCache(policy: DeadlinePolicy, rule: DeadlineRule): Map<number, Deadlines> {
  let byRule = cache.get(policy);
  if (byRule === undefined) {
    byRule = new Map();
    cache.set(policy, byRule);
  }
  let byDay = byRule.get(rule);
  if (byDay === undefined) {
    byDay = new Map();
    byRule.set(rule, byDay);
  }
  return byDay;
}

function lastDay(
  received: number,
  days: number,
  rule: DeadlineRule,
  policy: DeadlinePolicy,
): number {
  if (rule.dayKind === 'calendar') return received + days;
  let day = received;
  for (let left = days; left > 0;) {
    day++;
    if (isWorkingDay(day, policy)) left--;
  }
  return day;
}

function isWorkingDay(day: number, policy: DeadlinePolicy): boolean {
  if (policy.makeupWorkdays.has(day)) return true;
  if (policy.holidays.has(day)) return false;
  // Day 0 (1970-01-01) was a Thursday; 0 = Sunday, 6 = Saturday.
  const weekday = (day + 4) % 7;
  return weekday !== 0 && weekday !== 6;
}

function endOfDay(day: number): string {
  return new Date((day + 1) * DAY_MS - SHANGHAI_OFFSET_MS - 1000).toISOString();
}
