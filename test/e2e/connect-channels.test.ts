// An admin connects channels the way a person would: through the mock Facebook Login dialog
// and the mock Zalo OA permission page, signing in to each "platform" first, then ticking the
// Pages and picking each one's unit in Loa. A refused dialog and a replayed state show Loa's
// error page (HTTP 400) and store nothing.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { channels, units } from '../../server/db/schema.ts';
import { createTestApp, makeUser, PASSWORD, type TestApp } from '../support/app.ts';
import { launchBrowser } from '../support/browser.ts';
import { startTestPlatforms, type TestPlatforms } from '../support/platforms.ts';

/** A free port, so that LOA_PUBLIC_URL (the OAuth redirect_uri) is known before the app starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function control<T>(base: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${base}/_mock${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('e2e: connect channels through the platform login', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let platforms: TestPlatforms;
  let t: TestApp;
  let server: Server;
  let base: string;
  let page: Page;
  const callbacks: Array<{ url: string; status: number }> = [];

  before(async function () {
    browser = await launchBrowser(this);
    platforms = await startTestPlatforms();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp(
      { LOA_PUBLIC_URL: base, FACEBOOK_WWW_URL: platforms.mock.facebook },
      { platformUrls: platforms.urls, mockPlatforms: platforms.mock },
    );
    server = t.app.listen(port, '127.0.0.1');
    await once(server, 'listening');
  });
  after(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await t?.close();
    await platforms?.close();
  });

  async function channelCount(): Promise<number> {
    const [row] = await t.c.database.db.select({ n: sql<number>`count(*)::int` }).from(channels);
    return row?.n ?? 0;
  }

  it('connects two Facebook Pages and one Zalo OA, each to its unit', async () => {
    const admin = await makeUser(t, 'admin', { name: 'Quản Trị Viên' });
    const [unitA, unitB, unitC] = await t.c.database.db
      .insert(units)
      .values([
        { name: 'Công an Phường Bến Nghé' },
        { name: 'Công an Phường Đa Kao' },
        { name: 'Công an Xã Bình Chánh' },
      ])
      .returning();
    const fbPerson = await control<{ id: string }>(platforms.mock.facebook, '/users', {
      name: 'Trung uý Phong',
    });
    const zaloPerson = await control<{ id: string }>(platforms.mock.zalo, '/users', {
      name: 'Trung uý Phong',
    });
    const pageA = await control<{ id: string }>(platforms.mock.facebook, '/pages', {
      name: 'Công an Phường Bến Nghé',
      admin_user_id: fbPerson.id,
    });
    const pageB = await control<{ id: string }>(platforms.mock.facebook, '/pages', {
      name: 'Công an Phường Đa Kao',
      admin_user_id: fbPerson.id,
    });
    const oa = await control<{ oa_id: string }>(platforms.mock.zalo, '/oas', {
      name: 'Zalo Công an Xã Bình Chánh',
      admin_user_id: zaloPerson.id,
    });

    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    page = await context.newPage();
    page.on('response', (response) => {
      if (response.url().includes('/admin/channels/connect/') && response.url().includes('/callback?')) {
        callbacks.push({ url: response.url(), status: response.status() });
      }
    });
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill(admin.user.email);
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${base}/`), page.getByRole('button', { name: 'Đăng nhập' }).click()]);

    // Facebook: sign in to the "platform", continue as the person, back in Loa pick the units.
    await page.goto(`${base}/admin/channels`);
    await page.getByRole('button', { name: 'Kết nối Trang Facebook', exact: true }).click();
    await page.waitForURL((url) => url.origin === platforms.mock.facebook);
    await page.getByLabel('Người dùng').selectOption(fbPerson.id);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('button', { name: 'Tiếp tục với tên Trung uý Phong' }).waitFor();
    assert.ok(await page.getByLabel('Công an Phường Bến Nghé').isChecked());
    await page.getByRole('button', { name: 'Tiếp tục với tên Trung uý Phong' }).click();
    await page.waitForURL(/\/admin\/channels\/connect\/choose\//);
    await page.getByRole('heading', { name: 'Chọn Trang Facebook cần kết nối' }).waitFor();
    // Ticked already unless a channel for the Page exists (ids repeat across test files' mocks).
    await page.locator(`article[data-external-id="${pageA.id}"] input[name="pick"]`).check();
    await page.locator(`article[data-external-id="${pageB.id}"] input[name="pick"]`).check();
    await page.locator(`article[data-external-id="${pageA.id}"] select`).selectOption(unitA!.id);
    await page.locator(`article[data-external-id="${pageB.id}"] select`).selectOption(unitB!.id);
    await page.screenshot({ path: 'test-output/e2e-connect-choose.png', fullPage: true });
    await page.getByRole('button', { name: 'Kết nối các kênh đã chọn' }).click();
    await page.waitForURL(`${base}/admin/channels`);
    await page.getByText('Đã kết nối 2 kênh').waitFor();

    // Zalo: the OA permission page, granted.
    await page.getByRole('button', { name: 'Kết nối Zalo OA', exact: true }).click();
    await page.waitForURL((url) => url.origin === platforms.mock.zalo);
    await page.getByLabel('Người dùng').selectOption(zaloPerson.id);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByLabel('Zalo Công an Xã Bình Chánh').check();
    await page.getByRole('button', { name: 'Cho phép' }).click();
    await page.waitForURL(/\/admin\/channels\/connect\/choose\//);
    await page.locator(`article[data-external-id="${oa.oa_id}"] input[name="pick"]`).check();
    await page.locator(`article[data-external-id="${oa.oa_id}"] select`).selectOption(unitC!.id);
    await page.getByRole('button', { name: 'Kết nối các kênh đã chọn' }).click();
    await page.waitForURL(`${base}/admin/channels`);
    await page.getByText('Đã kết nối 1 kênh').waitFor();
    await page.screenshot({ path: 'test-output/e2e-connect-channels.png', fullPage: true });

    // Mock ids repeat across test files sharing the database: only live rows are this test's.
    const rows = (await t.c.database.db.select().from(channels)).filter((row) => row.deletedAt === null);
    const unitOf = (externalId: string) => rows.find((row) => row.externalId === externalId)?.unitId;
    assert.equal(unitOf(pageA.id), unitA!.id);
    assert.equal(unitOf(pageB.id), unitB!.id);
    assert.equal(unitOf(oa.oa_id), unitC!.id);
    const statusOf = (externalId: string) => rows.find((row) => row.externalId === externalId)?.status;
    assert.deepEqual(
      [statusOf(pageA.id), statusOf(pageB.id), statusOf(oa.oa_id)],
      ['active', 'active', 'active'],
    );
    for (const name of ['Công an Phường Bến Nghé', 'Công an Phường Đa Kao', 'Zalo Công an Xã Bình Chánh']) {
      await page.locator('tr', { hasText: name }).first().waitFor();
    }
    assert.deepEqual(
      callbacks.map((c) => c.status),
      [303, 303],
    );
  });

  it('a refused dialog and a replayed state show the error page and store nothing', async () => {
    const before = await channelCount();
    await page.goto(`${base}/admin/channels`);
    await page.getByRole('button', { name: 'Kết nối Trang Facebook', exact: true }).click();
    // Still signed in to the mock: straight to "Continue as", and this time "Not now".
    await page.getByRole('button', { name: 'Không phải bây giờ' }).click();
    await page.getByRole('heading', { name: 'Không kết nối được kênh' }).waitFor();
    await page.getByText('Bạn đã từ chối cấp quyền cho Loa').waitFor();
    assert.equal(callbacks.at(-1)?.status, 400);
    await page.screenshot({ path: 'test-output/e2e-connect-refused.png', fullPage: true });

    const replayed = await page.goto(callbacks[0]!.url);
    assert.equal(replayed?.status(), 400);
    await page.getByText('đã được dùng rồi').waitFor();
    assert.equal(await channelCount(), before);
  });
});
