// Recurring posts: an iCalendar RRULE read in the unit's wall-clock time (Asia/Ho_Chi_Minh by
// default), so `FREQ=WEEKLY;BYDAY=MO;BYHOUR=8` means Monday 08:00 there, whatever the server's zone.
import rrule from 'rrule';
import { ValidationError } from '../errors.ts';
import { fromWallClock, toWallClock } from '../shared/zoned-time.ts';

const { RRule, Frequency } = rrule;
const ALLOWED = new Set([Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY]);
export const MAX_SERIES_DAYS = 366;

export interface Series {
  rule: string;
  start: Date;
  until: Date;
  zone: string;
}

function build(series: Series) {
  let options;
  try {
    options = RRule.parseString(series.rule.replace(/^RRULE:/i, ''));
  } catch {
    throw new ValidationError([
      { path: 'recurrence.rule', message: 'is not an iCalendar RRULE (e.g. FREQ=WEEKLY;BYDAY=MO;BYHOUR=8)' },
    ]);
  }
  if (options.freq === undefined || !ALLOWED.has(options.freq)) {
    throw new ValidationError([
      { path: 'recurrence.rule', message: 'FREQ must be DAILY, WEEKLY or MONTHLY' },
    ]);
  }
  if (options.count !== undefined || options.until !== undefined) {
    throw new ValidationError([
      {
        path: 'recurrence.rule',
        message: 'give the end as recurrence.until, not COUNT or UNTIL in the rule',
      },
    ]);
  }
  const start = toWallClock(series.start, series.zone);
  return new RRule({
    ...options,
    dtstart: start,
    until: toWallClock(series.until, series.zone),
    byminute: options.byminute ?? start.getUTCMinutes(),
    bysecond: 0,
  });
}

/** Checks a series and returns its first occurrence (at or after `start`). */
export function validateSeries(series: Series): Date {
  if (series.until <= series.start) {
    throw new ValidationError([{ path: 'recurrence.until', message: 'must be after scheduledAt' }]);
  }
  if (series.until.getTime() - series.start.getTime() > MAX_SERIES_DAYS * 86_400_000) {
    throw new ValidationError([
      { path: 'recurrence.until', message: `a series lasts at most ${MAX_SERIES_DAYS} days` },
    ]);
  }
  const first = nextOccurrence(series, new Date(series.start.getTime() - 1));
  if (!first)
    throw new ValidationError([
      { path: 'recurrence.rule', message: 'has no occurrence before recurrence.until' },
    ]);
  return first;
}

/** The first occurrence strictly after `after`, or null when the series has ended. */
export function nextOccurrence(series: Series, after: Date): Date | null {
  const next = build(series).after(toWallClock(after, series.zone), false);
  return next ? fromWallClock(next, series.zone) : null;
}
