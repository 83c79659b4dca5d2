// An admin on a phone (390×844) runs the members area: creates an invitation for a unit, copies
// the link (and sees its QR code), a new person opens it on their own phone, creates their
// account and consents, chooses to be listed by name, and the admin finds them in the unit's
// list. The admin then sets a daily cap of one share; the member's second share is refused with
// a clear message. Every page of the area passes axe-core (no serious or critical violation).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, signInWith } from '../support/browser.ts';
import { makeUser } from '../support/app.ts';
import { startMembersHarness, type MembersHarness } from '../integration/members/members-harness.ts';

const PHONE = {
  viewport: { width: 390, height: 844 },
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36',
  isMobile: true,
  hasTouch: true,
};
const OUT = 'test-output';

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function fitsPhone(page: Page, what: string): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${what} is ${width}px wide on a 390px phone`);
}

describe('e2e: an admin runs the members area from a phone', function () {
  this.timeout(180_000);
  let browser: Browser | undefined;
  let h: MembersHarness;

  before(async function () {
    browser = await launchBrowser(this);
    h = await startMembersHarness();
    mkdirSync(OUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('invites a person who consents and appears in the list, then caps their shares', async () => {
    const province = await h.unit('Công an tỉnh Quảng Nam');
    const unit = await h.unit('Công an phường Điện Bàn', province.id);
    const first = await h.publishedPost([unit.id]);
    const second = await h.publishedPost([unit.id]);
    const admin = await makeUser(h.t, 'admin', { name: 'Quản Trị Viên' });

    const adminContext = await browser!.newContext(PHONE);
    await adminContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    const adminPage = await signInWith(await adminContext.newPage(), h.url, admin.user.email);

    // The invitation: a unit, a week, one link with a copy button and a QR code.
    await adminPage.goto(`${h.url}/members/invitations`);
    assert.deepEqual(await seriousViolations(adminPage), [], 'invitations page');
    await adminPage.getByRole('combobox', { name: 'Đơn vị' }).first().selectOption(unit.id);
    await adminPage.getByRole('combobox', { name: 'Hiệu lực' }).selectOption('7');
    await Promise.all([
      adminPage.waitForURL(`${h.url}/members/invitations`),
      adminPage.getByRole('button', { name: 'Tạo liên kết mời' }).click(),
    ]);
    const created = adminPage.locator('.invitation-created');
    await created.waitFor();
    await created.getByRole('img', { name: /Mã QR của liên kết mời/ }).waitFor();
    await created.getByRole('button', { name: 'Sao chép liên kết' }).click();
    await created.locator('button[data-copied="true"]').waitFor();
    const link = await adminPage.evaluate(() => navigator.clipboard.readText());
    assert.match(link, new RegExp(`^${h.url}/join/[A-Za-z0-9_-]+$`));
    assert.equal(await adminPage.locator('#invitation-link').inputValue(), link);
    await fitsPhone(adminPage, 'the invitations page');
    assert.deepEqual(await seriousViolations(adminPage), [], 'invitations page with a new link');
    await adminPage.screenshot({ path: `${OUT}/member-admin-invitation.png`, fullPage: true });

    // A new person opens the link on their own phone, creates their account and consents.
    const name = `Hồ Thị Được Mời ${randomUUID().slice(0, 4)}`;
    const personContext = await browser!.newContext(PHONE);
    const person = await personContext.newPage();
    await person.goto(link);
    await person.getByLabel('Họ và tên').fill(name);
    await person.getByLabel('Email').fill(`duocmoi-${randomUUID().slice(0, 6)}@example.vn`);
    await person.getByLabel('Mật khẩu (ít nhất 10 ký tự)').fill('mật khẩu của tôi');
    await Promise.all([
      person.waitForURL(`${h.url}/members/consent`),
      person.getByRole('button', { name: 'Tạo tài khoản thành viên' }).click(),
    ]);
    await person.getByLabel('Tôi đã đọc và đồng ý').check();
    await Promise.all([
      person.waitForURL(`${h.url}/feed`),
      person.getByRole('button', { name: 'Đồng ý và xem bài' }).click(),
    ]);
    // They choose to be seen by name in their unit's statistics.
    await person.goto(`${h.url}/members/settings`);
    await person.getByLabel('Cho người duyệt bài thấy tên tôi trong thống kê của đơn vị').check();
    await Promise.all([
      person.waitForURL(`${h.url}/members/settings`),
      person.getByRole('button', { name: 'Lưu', exact: true }).click(),
    ]);

    // The admin sees them in the unit's list, consented, and the invitation used.
    await adminPage.goto(`${h.url}/members?unitId=${unit.id}`);
    const row = adminPage.locator('tr[data-listed="true"]', { hasText: name });
    await row.waitFor();
    assert.equal(await row.locator('[data-consent]').getAttribute('data-consent'), 'current');
    assert.match((await row.textContent()) ?? '', /Đã đồng ý bản 1/);
    await fitsPhone(adminPage, 'the members list');
    assert.deepEqual(await seriousViolations(adminPage), [], 'members list');
    await adminPage.screenshot({ path: `${OUT}/member-admin-list.png`, fullPage: true });
    await adminPage.goto(`${h.url}/members/invitations?unitId=${unit.id}`);
    assert.equal(await adminPage.locator('tr[data-status="used"]').count(), 1);

    // Share rules: one share per member per day for this unit.
    await adminPage.goto(`${h.url}/members/rules?unitId=${unit.id}`);
    await adminPage.getByLabel('Số lượt chia sẻ tối đa mỗi người mỗi ngày').fill('1');
    await adminPage.getByLabel('Từ giờ').fill('20');
    await adminPage.getByLabel('Đến giờ').fill('6');
    await adminPage.getByRole('button', { name: 'Lưu quy tắc' }).click();
    await adminPage.locator('#hoursTo-error').waitFor();
    assert.match(
      (await adminPage.locator('#hoursTo-error').textContent()) ?? '',
      /giờ kết thúc sau giờ bắt đầu/,
    );
    assert.deepEqual(await seriousViolations(adminPage), [], 'share rules with errors');
    await adminPage.screenshot({ path: `${OUT}/member-admin-rules-refused.png`, fullPage: true });
    await adminPage.getByLabel('Từ giờ').fill('');
    await adminPage.getByLabel('Đến giờ').fill('');
    await Promise.all([
      adminPage.waitForURL(`${h.url}/members/rules?unitId=${unit.id}`),
      adminPage.getByRole('button', { name: 'Lưu quy tắc' }).click(),
    ]);
    await adminPage.getByText('Tối đa 1 lượt chia sẻ mỗi người mỗi ngày').waitFor();
    await fitsPhone(adminPage, 'the share rules page');
    assert.deepEqual(await seriousViolations(adminPage), [], 'share rules');

    // The member shares one post; the second one is refused with the unit's rule spelled out.
    await person.goto(`${h.url}/feed`);
    await Promise.all([
      person.waitForURL((url) => url.origin === new URL(h.platforms.mock.facebook).origin),
      person.locator(`#post-${first.id}`).getByRole('button', { name: 'Chia sẻ lên Facebook' }).click(),
    ]);
    await person.goto(`${h.url}/feed`);
    await person.locator(`#post-${second.id}`).getByRole('button', { name: 'Chia sẻ lên Facebook' }).click();
    await person.getByText('Đơn vị của bạn cho phép mỗi người chia sẻ 1 bài mỗi ngày').waitFor();
    await person.screenshot({ path: `${OUT}/member-admin-share-refused.png`, fullPage: true });
    await personContext.close();

    // Participation: the province's units, the one with a share and without; no ranking of people.
    await adminPage.goto(`${h.url}/members/participation?unitId=${province.id}&days=all`);
    await adminPage.locator(`tr[data-unit-id="${unit.id}"]`).waitFor();
    assert.equal(await adminPage.getByText(name).count(), 0, 'no person named on the participation page');
    await fitsPhone(adminPage, 'the participation page');
    assert.deepEqual(await seriousViolations(adminPage), [], 'participation');
    await adminPage.screenshot({ path: `${OUT}/member-admin-participation.png`, fullPage: true });

    await adminPage.goto(`${h.url}/members/new?unitId=${unit.id}`);
    await fitsPhone(adminPage, 'the new member form');
    assert.deepEqual(await seriousViolations(adminPage), [], 'new member form');
    await adminContext.close();
  });
});
