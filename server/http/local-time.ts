// Times in forms: `<input type="datetime-local">` shows and sends wall-clock time in the
// configured zone (Asia/Ho_Chi_Minh by default); the database keeps UTC.

function wallParts(at: Date, zone: string): Record<string, number> {
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
  return Object.fromEntries(parts.filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

function offsetMs(at: Date, zone: string): number {
  const p = wallParts(at, zone);
  return (
    Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) -
    Math.floor(at.getTime() / 1000) * 1000
  );
}

/** `2026-12-01T08:00` for a datetime-local input. */
export function toLocalInput(at: Date, zone: string): string {
  const p = wallParts(at, zone);
  const two = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/** The instant a datetime-local value means in `zone`, or null if it is not one. */
export function fromLocalInput(value: string, zone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s ?? 0);
  if (Number.isNaN(wall)) return null;
  let guess = new Date(wall - offsetMs(new Date(wall), zone));
  guess = new Date(wall - offsetMs(guess, zone));
  return guess;
}
