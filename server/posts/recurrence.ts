// Recurring posts: an iCalendar RRULE read in the unit's wall-clock time (Asia/Ho_Chi_Minh by
// default), so `FREQ=WEEKLY;BYDAY=MO;BYHOUR=8` means Monday 08:00 there, whatever the server's zone.
import rrule from 'rrule';
import { ValidationError } from '../errors.ts';

const { RRule, Frequency } = rrule;
const ALLOWED = new Set([Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY]);
export const MAX_SERIES_DAYS = 366;

/** The offset of `zone` at `at`, in minutes east of UTC. */
function offsetMinutes(at: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** A Date whose UTC fields show the wall-clock time in `zone` (rrule works in "floating" time). */
function toWall(at: Date, zone: string): Date {
  return new Date(at.getTime() + offsetMinutes(at, zone) * 60_000);
}

function fromWall(wall: Date, zone: string): Date {
  let guess = new Date(wall.getTime() - offsetMinutes(wall, zone) * 60_000);
  guess = new Date(wall.getTime() - offsetMinutes(guess, zone) * 60_000);
  return guess;
}

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
  const start = toWall(series.start, series.zone);
  return new RRule({
    ...options,
    dtstart: start,
    until: toWall(series.until, series.zone),
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
  const next = build(series).after(toWall(after, series.zone), false);
  return next ? fromWall(next, series.zone) : null;
}
