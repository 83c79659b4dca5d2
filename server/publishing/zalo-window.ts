// Zalo's night ban on promotional messages, 22:00–06:00 Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
import { isZaloNight } from './publishing.settings.ts';

/** Now when outside the ban, else the coming 06:00. */
export function nextBroadcastWindowAfter(now: Date): Date {
  if (!isZaloNight(now)) return now;
  const offsetMs = 7 * 3_600_000;
  const local = new Date(now.getTime() + offsetMs);
  const sixAm = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), 6, 0, 0, 0);
  const next = sixAm > local.getTime() ? sixAm : sixAm + 24 * 3_600_000;
  return new Date(next - offsetMs);
}
