import { join } from 'node:path';
import { computeDeadlines } from './deadline.calculator';
import { loadDeadlinePolicy, parseDeadlinePolicy } from './deadline.config';
import type { RoutingChannel } from './deadline.config';

const base = {
  policy: 'fuling-12320',
  registerWithinDays: 1,
  acceptWithinDays: 3,
  finishWithinDays: 20,
};
const calendar = parseDeadlinePolicy(
  {
    default: { ...base, dayKind: 'calendar' },
    channels: { board: { policy: 'board-5', acceptWithinDays: 5 } },
  },
  'calendar',
);
const working = parseDeadlinePolicy(
  {
    default: { ...base, dayKind: 'working' },
    channels: { sms: { policy: 'sms-fast', dayKind: 'calendar', finishWithinDays: 10 } },
    holidays: ['2024-06-10', '2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-07'],
    makeupWorkdays: ['2024-10-12'],
  },
  'working',
);

const at = (iso: string) => new Date(iso);
// 23:59:59 Asia/Shanghai on a local date, in UTC.
const eod = (date: string) => new Date(`${date}T23:59:59+08:00`).toISOString();

interface Row {
  channel: RoutingChannel;
  received: string;
  policy: string;
  registerBy: string;
  acceptBy: string;
  finishBy: string;
}

const expected = (row: Row) => ({
  policy: row.policy,
  registerBy: eod(row.registerBy),
  acceptBy: eod(row.acceptBy),
  finishBy: eod(row.finishBy),
});

describe('computeDeadlines', () => {
  // Calendar days, counted from the day after receipt in Asia/Shanghai:
  // month end; 00:30 Shanghai is the next local day; 23:59:59 Shanghai is still that day;
  // year end; leap day; weekends count; board accepts within 5 days.
  it.each`
    channel      | received                  | policy            | registerBy      | acceptBy        | finishBy
    ${'email'}   | ${'2024-05-31T10:00:00Z'} | ${'fuling-12320'} | ${'2024-06-01'} | ${'2024-06-03'} | ${'2024-06-20'}
    ${'email'}   | ${'2024-05-31T16:30:00Z'} | ${'fuling-12320'} | ${'2024-06-02'} | ${'2024-06-04'} | ${'2024-06-21'}
    ${'email'}   | ${'2024-05-31T15:59:59Z'} | ${'fuling-12320'} | ${'2024-06-01'} | ${'2024-06-03'} | ${'2024-06-20'}
    ${'mailbox'} | ${'2024-12-31T02:00:00Z'} | ${'fuling-12320'} | ${'2025-01-01'} | ${'2025-01-03'} | ${'2025-01-20'}
    ${'sms'}     | ${'2024-02-28T02:00:00Z'} | ${'fuling-12320'} | ${'2024-02-29'} | ${'2024-03-02'} | ${'2024-03-19'}
    ${'email'}   | ${'2024-06-07T02:00:00Z'} | ${'fuling-12320'} | ${'2024-06-08'} | ${'2024-06-10'} | ${'2024-06-27'}
    ${'board'}   | ${'2024-05-31T10:00:00Z'} | ${'board-5'}      | ${'2024-06-01'} | ${'2024-06-05'} | ${'2024-06-20'}
  `('calendar: $channel received $received', (row: Row) => {
    expect(computeDeadlines(row.channel, at(row.received), calendar)).toEqual(expected(row));
  });

  // Working days. 2024-05-31 is a Friday; 2024-06-10 (Dragon Boat) and the National Day week
  // are listed holidays, Saturday 2024-10-12 a makeup working day (调休):
  // weekend skipped; receipt on a Saturday; holiday skipped; holidays and makeup day;
  // makeup day counts; sms overrides to calendar days and a shorter finish.
  it.each`
    channel      | received                  | policy            | registerBy      | acceptBy        | finishBy
    ${'email'}   | ${'2024-05-31T02:00:00Z'} | ${'fuling-12320'} | ${'2024-06-03'} | ${'2024-06-05'} | ${'2024-07-01'}
    ${'email'}   | ${'2024-06-01T02:00:00Z'} | ${'fuling-12320'} | ${'2024-06-03'} | ${'2024-06-05'} | ${'2024-07-01'}
    ${'mailbox'} | ${'2024-06-07T02:00:00Z'} | ${'fuling-12320'} | ${'2024-06-11'} | ${'2024-06-13'} | ${'2024-07-08'}
    ${'board'}   | ${'2024-09-30T02:00:00Z'} | ${'fuling-12320'} | ${'2024-10-08'} | ${'2024-10-10'} | ${'2024-11-01'}
    ${'email'}   | ${'2024-10-11T02:00:00Z'} | ${'fuling-12320'} | ${'2024-10-12'} | ${'2024-10-15'} | ${'2024-11-07'}
    ${'sms'}     | ${'2024-05-31T02:00:00Z'} | ${'sms-fast'}     | ${'2024-06-01'} | ${'2024-06-03'} | ${'2024-06-10'}
  `('working: $channel received $received', (row: Row) => {
    expect(computeDeadlines(row.channel, at(row.received), working)).toEqual(expected(row));
  });

  it('expresses the end of day as 15:59:59Z', () => {
    expect(computeDeadlines('email', at('2024-05-31T10:00:00Z'), calendar).registerBy).toBe(
      '2024-06-01T15:59:59.000Z',
    );
  });

  it('rejects an invalid receipt time', () => {
    expect(() => computeDeadlines('email', new Date('not a date'), calendar)).toThrow(RangeError);
  });

  it('ships Fuling 12320 in calendar days and the 5-day board rule', () => {
    const shipped = loadDeadlinePolicy(
      join(__dirname, '..', '..', '..', 'config', 'deadlines.yaml'),
    );
    const received = at('2024-05-31T10:00:00Z');
    expect(computeDeadlines('sms', received, shipped)).toEqual({
      policy: 'fuling-12320',
      registerBy: eod('2024-06-01'),
      acceptBy: eod('2024-06-03'),
      finishBy: eod('2024-06-20'),
    });
    expect(computeDeadlines('board', received, shipped)).toEqual({
      policy: 'board-5-day-acceptance',
      registerBy: eod('2024-06-01'),
      acceptBy: eod('2024-06-05'),
      finishBy: eod('2024-06-20'),
    });
  });
});
