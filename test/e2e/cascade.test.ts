// Cascade in a browser (issue 11): the province reviewer hands a published warning down; a
// commune editor opens the draft, already filled with the commune's hotline, and submits it;
// the commune reviewer approves it; it goes out on the commune's Page (the mock's ledger); and
// the province's post page shows that commune as published.
import assert from 'node:assert/strict';
import { eq, inArray } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { SYSTEM_ACTOR, type Actor } from '../../server/auth/actor.ts';
import { channels, posts } from '../../server/db/schema.ts';
import { makeUser, type TestApp } from '../support/app.ts';
import { waitFor } from '../support/processes.ts';
import { startE2eScene, type E2eScene } from '../support/e2e-scene.ts';
import type { TestPlatforms } from '../support/platforms.ts';

describe('e2e: cascade from the province to a commune', function () {
  this.timeout(180_000);
  let scene: E2eScene | undefined;
  let t: TestApp;
  let platforms: TestPlatforms;
  let server: E2eScene['server'];

  before(async function () {
    scene = await startE2eScene(this, {
      workerId: 'e2e-cascade-worker',
    });
    ({ t, platforms, server } = scene);
  });
  const made = { posts: [] as string[], channels: [] as string[] };
  after(async () => {
    // The mocks number their Pages from the same start in every suite: leave no channel (and
    // so no post on it) behind that a later suite's Page id could meet.
    if (t) {
      const { db } = t.c.database;
      const children = made.posts.length
        ? await db.select({ id: posts.id }).from(posts).where(inArray(posts.parentPostId, made.posts))
        : [];
      const all = [...made.posts, ...children.map((r) => r.id)];
      if (all.length) await db.delete(posts).where(inArray(posts.id, all));
      if (made.channels.length) await db.delete(channels).where(inArray(channels.id, made.channels));
    }
    await scene?.close();
  });

  const signIn = (email: string): Promise<Page> => scene!.signIn(email, { acceptDialogs: true });

  /** A Facebook Page on the mock, connected and belonging to the unit. */
  async function unitPage(unitId: string, name: string) {
    const fbPage = await platforms.createPage(name);
    const row = await t.c.channels.connect(
      { ...SYSTEM_ACTOR },
      { platform: 'facebook', externalId: fbPage.id, accessToken: fbPage.access_token, name },
    );
    await t.c.database.db
      .update(channels)
      .set({ unitId })
      .where(inArray(channels.id, [row.id]));
    made.channels.push(row.id);
    return { fbPage, row };
  }

  const published = (id: string) =>
    waitFor(
      `post ${id} published`,
      async () => {
        const [row] = await t.c.database.db.select().from(posts).where(eq(posts.id, id));
        return row?.status === 'published' ? row : undefined;
      },
      60_000,
    );

  it('hands a published warning down, and the commune publishes its own copy', async () => {
    const province = await t.c.users.createUnit(SYSTEM_ACTOR, {
      name: 'Công an tỉnh Quảng Nam',
      profile: { hotline: '0235 3822 123', area: 'tỉnh Quảng Nam' },
    });
    const commune = await t.c.users.createUnit(SYSTEM_ACTOR, {
      name: 'Công an xã Duy Phước',
      parentId: province.id,
      profile: { hotline: '0235 3777 001', area: 'xã Duy Phước', shortName: 'CAX Duy Phước' },
    });
    const quiet = await t.c.users.createUnit(SYSTEM_ACTOR, {
      name: 'Công an phường Hội An Tây',
      parentId: province.id,
    });
    const provincePage = await unitPage(province.id, 'Trang Công an tỉnh Quảng Nam');
    const communePage = await unitPage(commune.id, 'Trang Công an xã Duy Phước');
    const [pEditor, pReviewer, cEditor, cReviewer] = await Promise.all([
      makeUser(t, 'editor', { unitId: province.id, name: 'Biên Tập Tỉnh' }),
      makeUser(t, 'reviewer', { unitId: province.id, name: 'Duyệt Tỉnh' }),
      makeUser(t, 'editor', { unitId: commune.id, name: 'Biên Tập Xã' }),
      makeUser(t, 'reviewer', { unitId: commune.id, name: 'Duyệt Xã' }),
    ]);
    // Unscoped: these calls stand in for what the people do in the browser.
    const actor = (u: (typeof pEditor)['user']): Actor => ({ ...u, via: 'token', ip: null, scope: null });

    // The province's warning, written from a template (filled from the province's profile) and out.
    const parent = await t.c.posts.createPost(actor(pEditor.user), {
      templateId: 'gia-danh-co-quan-phap-luat',
      variables: { date: '2026-12-01' },
      withCard: true,
      channelIds: [provincePage.row.id],
      scheduledAt: new Date(),
    });
    made.posts.push(parent.id);
    assert.match(parent.text, /0235 3822 123/);
    await t.c.postWorkflow.submit(actor(pEditor.user), parent.id);
    await t.c.postWorkflow.approve(actor(pReviewer.user), parent.id, {});
    await published(parent.id);

    // The province reviewer hands it down from the post page.
    const pr = await signIn(pReviewer.user.email);
    await pr.goto(`${server.url}/posts/${parent.id}`);
    await pr.waitForLoadState('networkidle');
    const table = pr.locator('table.cascade-units');
    await table.waitFor();
    assert.equal(
      await table.locator(`input[value="${commune.id}"]`).isChecked(),
      true,
      'the commune with a Page is ticked',
    );
    assert.equal(
      await table.locator(`input[value="${quiet.id}"]`).isChecked(),
      false,
      'the one without a channel is not',
    );
    await pr.screenshot({ path: 'test-output/e2e-cascade-before.png', fullPage: true });
    await pr.getByRole('button', { name: 'Chuyển xuống các đơn vị đã chọn' }).click();
    // The outcome is read from the page's state: a flash message can be lost to a concurrent
    // request of the same session.
    await pr.locator(`tr[data-unit="${commune.id}"][data-status="draft"]`).waitFor();

    // The commune editor finds it in the notifications and opens it: the commune's hotline is in.
    const ce = await signIn(cEditor.user.email);
    await ce.goto(`${server.url}/notifications`);
    await ce.waitForLoadState('networkidle');
    const notice = ce.locator('li.notification[data-kind="cascade_received"]');
    await notice.waitFor();
    await Promise.all([ce.waitForURL(/\/posts\/[0-9a-f-]{36}$/), notice.getByRole('link').click()]);
    const childId = ce.url().split('/').pop()!;
    assert.notEqual(childId, parent.id);
    await ce.getByText('0235 3777 001').first().waitFor();
    await ce.getByRole('button', { name: 'Sửa nội dung' }).click();
    await ce.waitForURL(/\/compose\?postId=/);
    assert.equal(await ce.locator('input[name="v.hotline"]').inputValue(), '0235 3777 001');
    assert.equal(await ce.locator('input[name="v.unitName"]').inputValue(), 'Công an xã Duy Phước');
    assert.equal(await ce.locator('input[name="v.area"]').inputValue(), 'xã Duy Phước');
    await ce.screenshot({ path: 'test-output/e2e-cascade-commune-draft.png', fullPage: true });
    await ce.goto(`${server.url}/posts/${childId}`);
    await ce.waitForLoadState('networkidle');
    await ce.getByRole('button', { name: 'Gửi duyệt' }).click();
    await ce.locator('.post-status.post-in_review').first().waitFor();

    // The commune reviewer approves it from the review queue; it goes out on the commune's Page.
    const cr = await signIn(cReviewer.user.email);
    await cr.goto(`${server.url}/review`);
    await cr.waitForLoadState('networkidle');
    const item = cr.locator('article.review-item', { has: cr.locator(`a[href="/posts/${childId}"]`) });
    await item.getByRole('button', { name: 'Duyệt và lên lịch' }).click();
    await cr.waitForURL(`${server.url}/review`);
    await published(childId);
    const onCommunePage = await platforms.posts(`page_id=${communePage.fbPage.id}`);
    assert.equal(onCommunePage.length, 1, "exactly one post on the commune's Page");
    assert.match(JSON.stringify(onCommunePage[0]), /0235 3777 001/);
    assert.match(JSON.stringify(onCommunePage[0]), /Công an xã Duy Phước/);
    assert.equal(
      (await platforms.posts(`page_id=${provincePage.fbPage.id}`)).length,
      1,
      'the province posted once',
    );

    // The province's page shows the commune as published, the other unit as not sent.
    await pr.goto(`${server.url}/posts/${parent.id}`);
    await pr.waitForLoadState('networkidle');
    const row = pr.locator(`tr[data-unit="${commune.id}"][data-status="published"]`);
    await row.waitFor();
    await row.getByText('Đã đăng lúc').waitFor();
    await pr.locator(`tr[data-unit="${quiet.id}"][data-status="none"]`).waitFor();
    await pr.screenshot({ path: 'test-output/e2e-cascade-after.png', fullPage: true });
  });
});
