// Variable values: checking and normalising what an editor typed, and the formatting our
// Handlebars helpers apply. Every value ends up as a plain NFC string.
import type { TemplateVariable, VariableType } from './template-format.ts';

/** Messages reach Vietnamese editors first, and API clients that may read English. */
export function bilingual(vi: string, en: string): string {
  return `${vi} (${en})`;
}

export type ValueResult = { ok: true; value: string } | { ok: false; message: string };

/** Characters as a reader counts them (code points), not UTF-16 units. */
export function charCount(text: string): number {
  return [...text].length;
}

// Control characters other than tab/newline have no place in a post and can hide text.
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f) return true;
  }
  return false;
}

/**
 * Check one value against its declaration. Missing or blank: the default if there is one,
 * else a problem for a required variable, else the empty string.
 */
export function checkValue(variable: TemplateVariable, raw: unknown): ValueResult {
  const label = `"${variable.label}"`;
  let text: string;
  if (raw === undefined || raw === null) text = '';
  else if (typeof raw === 'string') text = raw;
  else if (typeof raw === 'number' && Number.isFinite(raw)) text = String(raw);
  else if (raw instanceof Date && variable.type === 'date' && !Number.isNaN(raw.getTime()))
    text = raw.toISOString();
  else
    return {
      ok: false,
      message: bilingual(`${label} phải là chuỗi ký tự`, `${variable.name} must be a string`),
    };

  text = text.normalize('NFC').replace(/\r\n?/g, '\n').trim();
  if (text === '' && variable.default !== undefined) text = variable.default.normalize('NFC').trim();
  if (text === '') {
    return variable.required
      ? { ok: false, message: bilingual(`Chưa nhập ${label}`, `${variable.name} is required`) }
      : { ok: true, value: '' };
  }
  if (hasControlCharacters(text)) {
    return {
      ok: false,
      message: bilingual(`${label} chứa ký tự điều khiển`, `${variable.name} contains control characters`),
    };
  }
  if (variable.maxLength !== undefined && charCount(text) > variable.maxLength) {
    return {
      ok: false,
      message: bilingual(
        `${label} dài quá ${variable.maxLength} ký tự`,
        `${variable.name} is longer than ${variable.maxLength} characters`,
      ),
    };
  }
  return checkType(variable, text, label);
}

function checkType(variable: TemplateVariable, text: string, label: string): ValueResult {
  const wrong = (vi: string, en: string): ValueResult => ({
    ok: false,
    message: bilingual(`${label} ${vi}`, `${variable.name} ${en}`),
  });
  switch (variable.type) {
    case 'text':
      return text.includes('\n')
        ? wrong('chỉ được một dòng', 'must be a single line')
        : { ok: true, value: text };
    case 'multiline':
      return { ok: true, value: text };
    case 'phone':
      return isPhone(text)
        ? { ok: true, value: text.replace(/\s+/g, ' ') }
        : wrong(
            'không phải số điện thoại hợp lệ',
            'is not a valid phone number (3–15 digits, e.g. 0235 3822 123)',
          );
    case 'date': {
      const date = parseDateValue(text);
      return date
        ? { ok: true, value: date.canonical }
        : wrong('không phải ngày hợp lệ', 'is not a valid date (YYYY-MM-DD or DD/MM/YYYY)');
    }
    case 'url':
      return isHttpUrl(text)
        ? { ok: true, value: text }
        : wrong('phải là địa chỉ http(s)://', 'must be an http(s):// address');
    case 'number': {
      const normalised = text.replace(/\s+/g, '');
      return /^-?\d+(?:[.,]\d+)?$/.test(normalised)
        ? { ok: true, value: normalised }
        : wrong('phải là một số', 'must be a number');
    }
  }
}

export function isPhone(text: string): boolean {
  if (!/^\+?[0-9][0-9 .\-()]*$/.test(text)) return false;
  const digits = text.replace(/\D/g, '').length;
  return digits >= 3 && digits <= 15;
}

export function isHttpUrl(text: string): boolean {
  if (/\s/.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export interface ParsedDate {
  /** `YYYY-MM-DD` for a calendar date, a full ISO instant otherwise. */
  canonical: string;
  dateOnly: boolean;
  instant: Date;
}

export function parseDateValue(text: string): ParsedDate | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const vi = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const ymd = iso ? [iso[1], iso[2], iso[3]] : vi ? [vi[3], vi[2], vi[1]] : null;
  if (ymd) {
    const [y, m, d] = ymd.map(Number) as [number, number, number];
    const instant = new Date(Date.UTC(y, m - 1, d));
    // Date.UTC rolls 30 February over into March; a real date survives the round trip.
    if (instant.getUTCFullYear() !== y || instant.getUTCMonth() !== m - 1 || instant.getUTCDate() !== d)
      return null;
    const canonical = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    return { canonical, dateOnly: true, instant };
  }
  // An instant must say its offset: a bare local time is ambiguous across time zones.
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const instant = new Date(text);
    if (Number.isNaN(instant.getTime())) return null;
    return { canonical: instant.toISOString(), dateOnly: false, instant };
  }
  return null;
}

export type DateStyle = 'short' | 'long' | 'datetime';
export const DATE_STYLES: readonly DateStyle[] = ['short', 'long', 'datetime'];

/** Vietnamese date formatting; calendar dates never shift with the time zone. */
export function formatDate(value: string, style: DateStyle, timeZone: string): string {
  const date = parseDateValue(value);
  if (!date) return value;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: date.dateOnly ? 'UTC' : timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date.instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  const day = Number(part('day'));
  const month = Number(part('month'));
  const year = part('year');
  const short = `${String(day).padStart(2, '0')}/${String(month).padStart(2, '0')}/${year}`;
  if (style === 'long') return `ngày ${day} tháng ${month} năm ${year}`;
  if (style === 'datetime' && !date.dateOnly) return `${part('hour')}:${part('minute')} ngày ${short}`;
  return short;
}

/** Group Vietnamese numbers the way people read them aloud; anything else stays as typed. */
export function formatPhone(value: string): string {
  const typed = value.trim().replace(/\s+/g, ' ');
  if (typed.startsWith('+')) return typed;
  const d = typed.replace(/\D/g, '');
  if (d.length === 11 && d.startsWith('02')) return `${d.slice(0, 4)} ${d.slice(4, 8)} ${d.slice(8)}`;
  if (d.length === 10 && d.startsWith('0')) return `${d.slice(0, 4)} ${d.slice(4, 7)} ${d.slice(7)}`;
  if (d.length === 8 && /^1[89]00/.test(d)) return `${d.slice(0, 4)} ${d.slice(4)}`;
  if (d.length === 10 && /^1[89]00/.test(d)) return `${d.slice(0, 4)} ${d.slice(4, 7)} ${d.slice(7)}`;
  return typed;
}

/** A plausible value of each type, for rendering a template once when it is saved. */
export function sampleValue(variable: TemplateVariable): string {
  const samples: Record<VariableType, string> = {
    text: variable.label,
    multiline: `${variable.label}\n${variable.label}`,
    phone: '0235 3822 123',
    date: '2025-03-14',
    url: 'https://example.vn/canh-bao',
    number: '12',
  };
  const sample = variable.default ?? samples[variable.type];
  const isText = variable.type === 'text' || variable.type === 'multiline';
  return isText && variable.maxLength !== undefined
    ? [...sample].slice(0, variable.maxLength).join('')
    : sample;
}
