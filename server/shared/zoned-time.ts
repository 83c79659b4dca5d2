// Wall-clock time in a named zone (Asia/Ho_Chi_Minh by default): what people type into
// `<input type="datetime-local">` and what recurrence rules mean by "08:00". Stored times are UTC.

/** The zone's offset from UTC at `at`, in milliseconds. */
export function zoneOffsetMs(at: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** A Date whose UTC fields show the wall-clock time in `zone` ("floating" time). */
export function toWallClock(at: Date, zone: string): Date {
  return new Date(at.getTime() + zoneOffsetMs(at, zone));
}

/** The instant a floating wall-clock time means in `zone`. */
export function fromWallClock(wall: Date, zone: string): Date {
  // Two passes settle the offset across a daylight-saving change (none in Asia/Ho_Chi_Minh).
  let instant = wall.getTime() - zoneOffsetMs(wall, zone);
  instant = wall.getTime() - zoneOffsetMs(new Date(instant), zone);
  return new Date(instant);
}

/** The instant as `YYYY-MM-DDTHH:mm` in `zone`, for a datetime-local input. */
export function instantToLocal(at: Date, zone: string): string {
  return toWallClock(at, zone).toISOString().slice(0, 16);
}

/** `2026-12-01T08:00` (seconds optional) in `zone` → the instant; null when it is not such a time. */
export function localToInstant(value: string, zone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map((v) => (v === undefined ? 0 : Number(v))) as number[];
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s ?? 0);
  return Number.isNaN(wall) ? null : fromWallClock(new Date(wall), zone);
}
