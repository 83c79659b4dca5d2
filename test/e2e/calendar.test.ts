// The calendar in a browser that is in another time zone than Loa: posts show at their
// LOA_TIMEZONE times, dragging one saves the UTC instant the drop means in LOA_TIMEZONE, and a
// week holding more posts than the feed returns says so and links to the post list.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SYSTEM_ACTOR } from '../../server/auth/actor.ts';
import { POST_STATUSES, posts } from '../../server/db/schema.ts';
import { CALENDAR_LIMIT } from '../../server/posts/posts.pages.ts';
import { localToInstant, toWallClock } from '../../server/shared/zoned-time.ts';
import { createTestApp, makeUser, type TestApp } from '../support/app.ts';
import { launchBrowser, listen, signInWith } from '../support/browser.ts';
import { startTestPlatforms, type TestPlatforms } from '../support/platforms.ts';

const ZONE = 'Asia/Ho_Chi_Minh';
/** The browser's zone: 11 or 12 hours behind Loa's, so a wrong zone shows another day. */
const BROWSER_ZONE = 'America/New_York';

/** `YYYY-MM-DD` of the Monday `weeksAhead` weeks after this week's, in ZONE. */
function mondayInZone(weeksAhead: number): string {
  const wall = toWallClock(new Date(), ZONE);
  const sinceMonday = (wall.getUTCDay() + 6) % 7;
  const monday = new Date(
    Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate() - sinceMonday + 7 * weeksAhead),
  );
  return monday.toISOString().slice(0, 10);
}
const plusDays = (date: string, days: number) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};

describe('e2e: the calendar in LOA_TIMEZONE', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let t: TestApp;
  let platforms: TestPlatforms;
  let server: Awaited<ReturnType<typeof listen>>;
  let editor: Awaited<ReturnType<typeof makeUser>>;
  let channelId: string;

  before(async function () {
    browser = await launchBrowser(this);
    platforms = await startTestPlatforms();
    t = await createTestApp(
      { LOA_TIMEZONE: ZONE },
      { platformUrls: platforms.urls, mockPlatforms: platforms.mock },
    );
    server = await listen(t.app);
    editor = await makeUser(t, 'editor', { name: 'Biên Tập Lịch' });
    const page = await platforms.createPage('Công an phường Lịch Đăng');
    channelId = (
      await t.c.channels.connect(
        { ...SYSTEM_ACTOR },
        { platform: 'facebook', externalId: page.id, accessToken: page.access_token },
      )
    ).id;
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await t?.close();
    await platforms?.close();
  });

  async function signIn(): Promise<Page> {
    context = await browser!.newContext({
      viewport: { width: 1280, height: 1000 },
      timezoneId: BROWSER_ZONE,
      locale: 'vi-VN',
    });
    const page = await context.newPage();
    return signInWith(page, server.url, editor.user.email);
  }

  async function nextWeek(page: Page, firstDay: string) {
    await page.locator('.fc-next-button').click();
    await page.locator(`.fc-timegrid-col[data-date="${firstDay}"]`).waitFor();
  }

  it('shows LOA_TIMEZONE times in a New York browser and saves a drag as the right UTC time', async () => {
    const monday = mondayInZone(1);
    const wednesday = plusDays(monday, 2);
    const thursday = plusDays(monday, 3);
    const at = localToInstant(`${wednesday}T08:00`, ZONE)!;
    const created = await request('/api/v1/posts', {
      text: 'Cảnh báo lừa đảo trên lịch đăng',
      channelIds: [channelId],
      scheduledAt: at.toISOString(),
    });

    const page = await signIn();
    assert.equal(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), BROWSER_ZONE);
    await page.goto(`${server.url}/calendar`);
    await page.locator('.fc-timegrid').waitFor();
    await nextWeek(page, monday);
    const event = page.locator(`.fc-timegrid-col[data-date="${wednesday}"] a[href="/posts/${created.id}"]`);
    await event.waitFor({ timeout: 20_000 });
    assert.equal((await event.locator('.fc-event-time').textContent())?.trim(), '08:00');
    await page.getByText(`Giờ hiển thị theo múi giờ ${ZONE}.`).waitFor();
    await page.screenshot({ path: 'test-output/calendar-new-york.png', fullPage: true });

    // Drag it to Thursday 10:00 in Loa's zone: grab its top edge, drop on the top of that slot.
    // Both ends of the drag in the viewport: the morning hours near its top.
    await event.evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().top - 150));
    const from = (await event.boundingBox())!;
    const column = (await page.locator(`.fc-timegrid-col[data-date="${thursday}"]`).boundingBox())!;
    const slot = (await page.locator('td.fc-timegrid-slot-lane[data-time="10:00:00"]').boundingBox())!;
    const saved = page.waitForResponse(
      (res) => res.url().endsWith(`/api/v1/posts/${created.id}`) && res.request().method() === 'PATCH',
    );
    await page.mouse.move(from.x + from.width / 2, from.y + 4);
    await page.mouse.down();
    for (let step = 1; step <= 12; step++) {
      await page.mouse.move(
        from.x + from.width / 2 + ((column.x + column.width / 2 - (from.x + from.width / 2)) * step) / 12,
        from.y + 4 + ((slot.y + 4 - (from.y + 4)) * step) / 12,
      );
    }
    await page.mouse.up();
    const response = await saved;
    assert.equal(response.status(), 200, await response.text());
    const expected = localToInstant(`${thursday}T10:00`, ZONE)!;
    const post = await t.c.posts.getPost(SYSTEM_ACTOR, created.id);
    assert.equal(
      post.scheduledAt.toISOString(),
      expected.toISOString(),
      'Thursday 10:00 in Asia/Ho_Chi_Minh is 03:00 UTC',
    );
    const moved = page.locator(`.fc-timegrid-col[data-date="${thursday}"] a[href="/posts/${created.id}"]`);
    await moved.waitFor();
    assert.equal((await moved.locator('.fc-event-time').textContent())?.trim(), '10:00');
  });

  it('says when a week holds more posts than the calendar shows, and offers the list', async () => {
    const monday = mondayInZone(2);
    const inserted = CALENDAR_LIMIT + 7;
    // Posts other tests left in that week (normally none) count too.
    const week = {
      from: localToInstant(`${monday}T00:00`, ZONE)!,
      to: localToInstant(`${plusDays(monday, 7)}T00:00`, ZONE)!,
    };
    const before = (
      await t.c.posts.calendarWindow(
        SYSTEM_ACTOR,
        { ...week, statuses: POST_STATUSES.filter((st) => st !== 'cancelled' && st !== 'retracted') },
        1,
      )
    ).total;
    const total = before + inserted;
    // Straight into the table: the point is the count, not how each post was written.
    await t.c.database.db.insert(posts).values(
      Array.from({ length: inserted }, (_, i) => ({
        title: `Bài số ${i + 1}`,
        text: `Bài số ${i + 1}`,
        channelIds: [channelId],
        scheduledAt: localToInstant(
          `${plusDays(monday, i % 7)}T${String(7 + (i % 12)).padStart(2, '0')}:00`,
          ZONE,
        )!,
        authorId: editor.user.id,
        slug: `bai-so-${i + 1}-${randomBytes(3).toString('hex')}`,
      })),
    );
    const page = context ? await context.newPage() : await signIn();
    await page.goto(`${server.url}/calendar`);
    await page.locator('.fc-timegrid').waitFor();
    await nextWeek(page, mondayInZone(1));
    assert.ok(await page.locator('#calendar-overflow').isHidden(), 'a week that fits says nothing');
    await nextWeek(page, monday);
    const notice = page.locator('#calendar-overflow');
    await notice.waitFor({ state: 'visible', timeout: 20_000 });
    const text = (await notice.textContent()) ?? '';
    assert.match(text, new RegExp(`có ${total} bài, lịch chỉ hiện ${CALENDAR_LIMIT} bài đầu tiên`));
    const link = notice.getByRole('link', { name: 'Xem đủ trong danh sách bài đăng' });
    assert.equal(await link.getAttribute('href'), `/posts?from=${monday}&to=${plusDays(monday, 6)}`);
    await page.screenshot({ path: 'test-output/calendar-overflow.png' });
    await Promise.all([page.waitForURL(/\/posts\?from=/), link.click()]);
    await page.getByText('Bài số 1', { exact: true }).first().waitFor();
  });

  async function request(path: string, body: Record<string, unknown>) {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { ...editor.auth, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    return JSON.parse(text) as { id: string };
  }
});
