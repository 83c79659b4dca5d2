// Turns the dashboard's view-models into what the templates print: numbers and times in the
// reader's language and LOA_TIMEZONE, each figure with its source line, a missing figure with
// its reason instead of a 0, and the charts' data as JSON the page script reads.
import type { Figure } from './engagement.present.ts';
import type { ChangeFigure, Trend } from './dashboard.service.ts';

type Translate = (key: string, options?: Record<string, unknown>) => string;

export interface Formatter {
  t: Translate;
  number(value: number): string;
  dateTime(value: string | Date | null): string;
  day(value: string): string;
}

export function formatter(t: Translate, lang: string, timeZone: string): Formatter {
  const locale = lang === 'en' ? 'en-GB' : 'vi-VN';
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const times = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'short', timeStyle: 'short' });
  // A rollup day is already a LOA_TIMEZONE calendar day: printed as such, not shifted again.
  const days = new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  });
  return {
    t,
    number: (value) => numbers.format(value),
    dateTime: (value) => (value ? times.format(value instanceof Date ? value : new Date(value)) : ''),
    day: (value) => days.format(new Date(`${value}T00:00:00Z`)),
  };
}

/** One figure as printed: the number, or why there is none, and where it comes from. */
export function cell(f: Formatter, figure: Figure) {
  const fetched = figure.fetchedAt ? f.t('dashboard.fetchedAt', { at: f.dateTime(figure.fetchedAt) }) : '';
  return {
    value: figure.value,
    text:
      figure.value === null
        ? f.t(`dashboard.unavailable.${figure.unavailable ?? 'not_collected'}`)
        : f.number(figure.value),
    missing: figure.value === null,
    unavailable: figure.unavailable ?? '',
    source: figure.source,
    sourceText: [f.t(`dashboard.source.${figure.source}`), fetched].filter(Boolean).join(' · '),
    /** The same, short enough for a table cell on a phone. */
    sourceShort: [
      f.t(`dashboard.sourceShort.${figure.source}`),
      figure.fetchedAt ? f.dateTime(figure.fetchedAt) : '',
    ]
      .filter(Boolean)
      .join(' · '),
  };
}

/** A total with its change against the previous period: "—" when there is nothing to compare. */
export function changeCell(f: Formatter, figure: ChangeFigure, month = false) {
  const base = cell(f, figure);
  const percent = figure.changePercent;
  return {
    ...base,
    changePercent: percent,
    direction: percent === null ? 'none' : percent > 0 ? 'up' : percent < 0 ? 'down' : 'same',
    changeText:
      percent === null
        ? f.t('dashboard.noChange')
        : f.t(month ? 'dashboard.changeMonth' : 'dashboard.change', {
            sign: percent > 0 ? '+' : '',
            percent: f.number(percent),
          }),
    previousText:
      figure.previous === null ? '' : f.t('dashboard.previousWas', { value: f.number(figure.previous) }),
  };
}

/** JSON for a <script type="application/json"> block: "<" escaped so no text can close it. */
export function chartJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

const SERIES = ['impressions', 'reactions', 'comments', 'shares', 'clicks'] as const;

/** A line chart of a trend: one dataset per series the platform measured. */
export function trendChart(f: Formatter, trend: Trend) {
  return {
    type: 'line',
    labels: trend.days.map((d) => f.day(d)),
    datasets: SERIES.flatMap((key) => {
      const data = trend.series[key];
      return data ? [{ key, label: f.t(`dashboard.figure.${key}`), data }] : [];
    }),
  };
}

/** The same trend as table rows (the chart's text alternative). */
export function trendRows(f: Formatter, trend: Trend) {
  return trend.days.map((day, i) => ({
    day: f.day(day),
    values: SERIES.map((key) => {
      const value = trend.series[key]?.[i];
      return value === undefined || value === null
        ? f.t('dashboard.unavailable.not_provided')
        : f.number(value);
    }),
  }));
}

export const SERIES_KEYS = SERIES;
