// Wall-clock times typed in a form (<input type="datetime-local">, no zone) read in the
// organisation's time zone, and back. Stored times are UTC.

function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** `2026-12-01T08:00` in `timeZone` → the instant; null when the text is not such a time. */
export function localToInstant(value: string, timeZone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  if (Number.isNaN(wall)) return null;
  // Two passes settle the offset across a daylight-saving change (none in Asia/Ho_Chi_Minh).
  let instant = wall - offsetMs(new Date(wall), timeZone);
  instant = wall - offsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

/** The instant as `YYYY-MM-DDTHH:mm` in `timeZone`, for a datetime-local input. */
export function instantToLocal(at: Date, timeZone: string): string {
  const local = new Date(at.getTime() + offsetMs(at, timeZone));
  return local.toISOString().slice(0, 16);
}
