// A member on a phone (390×844): opens an invitation, creates their account, consents, opens
// the share feed, copies a suggested caption, shares through the mock Facebook Share Dialog
// (pasting the caption into its empty message box), comes back to the post marked shared, and
// after someone clicks their link sees the click counted.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { SYSTEM_ACTOR } from '../../server/auth/actor.ts';
import { launchBrowser } from '../support/browser.ts';
import {
  mockFacebookPersonId,
  startMembersHarness,
  type MembersHarness,
} from '../integration/members/members-harness.ts';

const PHONE = {
  viewport: { width: 390, height: 844 },
  // A real phone browser: Loa counts headless browsers as bots, and this test's click is a person's.
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36',
  isMobile: true,
  hasTouch: true,
};
const OUT = 'test-output';

describe('e2e: a member shares a warning from their phone', function () {
  this.timeout(120_000);
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

  it('goes from the invitation to a shared post whose click is counted', async () => {
    const unit = await h.unit('Công an phường Hội An');
    const post = await h.publishedPost([unit.id]);
    const invitation = await h.t.c.amplification.members.createInvitation(SYSTEM_ACTOR, { unitId: unit.id });
    const fbUserId = await mockFacebookPersonId(h, 'Nguyễn Thị Thành Viên');

    const context = await browser!.newContext(PHONE);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    const page = await context.newPage();

    // The invitation: the person creates their own member account.
    await page.goto(invitation.url);
    await page.getByLabel('Họ và tên').fill('Nguyễn Thị Thành Viên');
    await page.getByLabel('Email').fill(`thanhvien-${randomUUID().slice(0, 6)}@example.vn`);
    await page.getByLabel('Mật khẩu (ít nhất 10 ký tự)').fill('mật khẩu của tôi');
    await Promise.all([
      page.waitForURL(`${h.url}/members/consent`),
      page.getByRole('button', { name: 'Tạo tài khoản thành viên' }).click(),
    ]);

    // Consent: the text names the decree; nothing is shown before it is accepted.
    await page.getByText('Nghị định 13/2023/NĐ-CP', { exact: false }).first().waitFor();
    await page.screenshot({ path: `${OUT}/member-consent.png`, fullPage: true });
    await page.getByLabel('Tôi đã đọc và đồng ý').check();
    await Promise.all([
      page.waitForURL(`${h.url}/feed`),
      page.getByRole('button', { name: 'Đồng ý và xem bài' }).click(),
    ]);

    // The feed: the post, its captions, one button per platform.
    const card = page.locator(`#post-${post.id}`);
    await card.waitFor();
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'fits a phone');
    const caption = card.locator('.caption').first();
    const captionText = (await caption.getAttribute('data-copy')) ?? '';
    assert.ok(captionText.length > 10);
    await caption.click();
    await caption.locator('.copied-badge').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), captionText);
    await page.screenshot({ path: `${OUT}/member-feed.png`, fullPage: true });

    // Signed in to (mock) Facebook in this browser, the member opens the Share Dialog.
    const login = await context.request.post(`${h.platforms.mock.facebook}/_mock/login`, {
      data: { userId: fbUserId },
    });
    assert.equal(login.status(), 200);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/dialog/share'),
      card.getByRole('button', { name: 'Chia sẻ lên Facebook' }).click(),
    ]);
    const box = page.locator('textarea#message');
    assert.equal(await box.inputValue(), '', 'Meta forbids prefilling the message');
    await box.focus();
    await page.keyboard.press('Control+V');
    assert.equal(await box.inputValue(), captionText);
    await page.screenshot({ path: `${OUT}/member-share-dialog.png`, fullPage: true });
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/feed'),
      page.getByRole('button', { name: 'Post' }).click(),
    ]);

    // Back in Loa: the post is marked shared, and the platform has the member's own link.
    await page.locator(`#post-${post.id} [data-shared="facebook"]`).waitFor();
    const ledger = (await (
      await fetch(`${h.platforms.mock.facebook}/_mock/shares?user_id=${fbUserId}`)
    ).json()) as { items: { link: string; message: string }[] };
    assert.equal(ledger.items.length, 1);
    assert.equal(ledger.items[0]?.message, captionText);
    assert.match(ledger.items[0]?.link ?? '', new RegExp(`^${h.url}/l/m`));

    // A friend opens the member's link on their own phone: one click, counted for the member.
    const friend = await browser!.newContext(PHONE);
    const friendPage = await friend.newPage();
    await friendPage.goto(ledger.items[0]!.link);
    assert.equal(new URL(friendPage.url()).pathname, `/w/${post.slug}`);
    await friend.close();

    await page.reload();
    const clicks = page.locator(`#post-${post.id} .share-clicks`);
    assert.equal(await clicks.getAttribute('data-clicks'), '1');
    assert.match((await clicks.textContent()) ?? '', /1 lượt nhấp/);
    await page.screenshot({ path: `${OUT}/member-shared.png`, fullPage: true });
    await context.close();
  });
});
