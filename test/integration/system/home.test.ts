// The start page shows what needs each person's attention today, by role, and the shell's
// navigation shows the sections that role may use with the current one marked.
import assert from 'node:assert/strict';
import { SYSTEM_ACTOR } from '../../../server/auth/actor.ts';
import { instantToLocal } from '../../../server/shared/zoned-time.ts';
import { attentionScene, inHours, type AttentionScene } from '../../support/attention.ts';
import { createTestApp, signedInAgent, type TestApp } from '../../support/app.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';

/** The text of one start-page card (`<article id="home-…">`), or undefined when it is absent. */
function card(html: string, id: string): string | undefined {
  const start = html.indexOf(`<article id="home-${id}"`);
  if (start < 0) return undefined;
  return html.slice(start, html.indexOf('</article>', start));
}

/** The hrefs of the main navigation (its first rendering) and the one marked current. */
function nav(html: string) {
  const start = html.indexOf('<nav class="nav-sections');
  const block = html.slice(start, html.indexOf('</nav>', start));
  const hrefs = [...block.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
  const current = [...block.matchAll(/href="([^"]+)" data-section="[^"]+" aria-current="page"/g)].map(
    (m) => m[1],
  );
  return { hrefs, current };
}

describe('start page and navigation', function () {
  this.timeout(60_000);
  let t: TestApp;
  let platforms: TestPlatforms;
  let scene: AttentionScene;

  before(async () => {
    platforms = await startTestPlatforms();
    t = await createTestApp({}, { platformUrls: platforms.urls, mockPlatforms: platforms.mock });
    scene = await attentionScene(t, platforms, 'Trang chủ');
  });
  after(async () => {
    await t.close();
    await platforms.close();
  });

  const home = async (email: string, path = '/') => {
    const { agent, ip } = await signedInAgent(t, email);
    const res = await agent.get(path).set('X-Forwarded-For', ip);
    assert.equal(res.status, 200);
    return res.text;
  };

  it('shows an admin the post to review, the failure, the broken channel and what goes out in 24 h', async () => {
    const html = await home(scene.admin.user.email);
    assert.match(card(html, 'review') ?? '', new RegExp(`href="/posts/${scene.posts.waiting.id}"`));
    assert.match(card(html, 'review') ?? '', /Nguyễn Biên Tập gửi duyệt/);
    const failures = card(html, 'failures') ?? '';
    assert.match(failures, new RegExp(`href="/posts/${scene.posts.failed.id}"`));
    assert.match(failures, /Zalo Công an Trang chủ/);
    assert.match(failures, /Nền tảng từ chối bài: Nội dung bị từ chối \(mã 368\)/);
    assert.match(card(html, 'reconnect') ?? '', /Trang cũ Trang chủ/);
    assert.doesNotMatch(card(html, 'reconnect') ?? '', /Trang Công an Trang chủ/);
    const upcoming = card(html, 'upcoming') ?? '';
    assert.match(upcoming, new RegExp(`href="/posts/${scene.posts.upcoming.id}"`));
    assert.doesNotMatch(
      upcoming,
      new RegExp(scene.posts.later.id),
      'a post 30 h away is not in the next 24 h',
    );
    assert.doesNotMatch(upcoming, new RegExp(scene.posts.failed.id), 'a failed post is not going out');
    // In LOA_TIMEZONE (Asia/Ho_Chi_Minh by default), as vi-VN writes it short: "HH:mm d/M/yy".
    const [date, time] = instantToLocal(scene.posts.upcoming.scheduledAt, 'Asia/Ho_Chi_Minh').split('T');
    const [y, m, d] = date!.split('-').map(Number);
    assert.match(upcoming, new RegExp(`${time} ${d}/${m}/${y! % 100}<`));
    assert.match(upcoming, /Giờ theo múi Asia\/Ho_Chi_Minh/);
    assert.match(html, /Tình trạng hệ thống/);
  });

  it('leaves a reviewer’s own post out of their review list', async () => {
    const adminActor = {
      ...SYSTEM_ACTOR,
      id: scene.admin.user.id,
      email: scene.admin.user.email,
      via: 'token' as const,
    };
    const own = await t.c.posts.createPost(adminActor, {
      text: 'Bài của chính quản trị viên: cảnh giác cuộc gọi lạ',
      channelIds: [scene.channels.facebook.id],
      scheduledAt: inHours(0.1),
    });
    await t.c.postWorkflow.submit(adminActor, own.id);
    assert.doesNotMatch(card(await home(scene.admin.user.email), 'review') ?? '', new RegExp(own.id));
    assert.match(card(await home(scene.reviewer.user.email), 'review') ?? '', new RegExp(own.id));
  });

  it('shows an editor their posts sent back and their failures, without review or channel cards', async () => {
    const html = await home(scene.editor.user.email);
    assert.equal(card(html, 'review'), undefined);
    assert.equal(card(html, 'reconnect'), undefined);
    assert.doesNotMatch(html, /Tình trạng hệ thống/);
    assert.match(card(html, 'failures') ?? '', new RegExp(scene.posts.failed.id));
    assert.match(card(html, 'upcoming') ?? '', new RegExp(scene.posts.upcoming.id));
    assert.match(card(html, 'returned') ?? '', new RegExp(`href="/posts/${scene.posts.returned.id}"`));
    assert.equal(card(await home(scene.admin.user.email), 'returned'), undefined, 'not the admin’s post');

    const other = await attentionScene(t, platforms, 'Đơn vị khác');
    const theirs = card(await home(other.editor.user.email), 'failures') ?? '';
    assert.match(theirs, new RegExp(other.posts.failed.id));
    assert.doesNotMatch(theirs, new RegExp(scene.posts.failed.id), 'another editor’s failure is not theirs');
    // The reviewer who approved it sees it too.
    assert.match(
      card(await home(scene.reviewer.user.email), 'failures') ?? '',
      new RegExp(scene.posts.failed.id),
    );
  });

  it('shows a member no work cards', async () => {
    const html = await home(scene.member.user.email);
    for (const id of ['review', 'failures', 'reconnect', 'upcoming']) assert.equal(card(html, id), undefined);
    assert.match(html, /Hiện chưa có việc gì cần bạn làm/);
    assert.deepEqual(nav(html).hrefs, ['/', '/feed', '/members/settings']);
  });

  it('gives each role its sections and marks the one a page belongs to', async () => {
    const admin = nav(await home(scene.admin.user.email, `/posts/${scene.posts.waiting.id}`));
    assert.deepEqual(admin.hrefs, [
      '/',
      '/compose',
      '/review',
      '/calendar',
      '/posts',
      '/stats',
      '/media',
      '/templates',
      '/members',
      '/members/participation',
      '/admin/channels',
      '/admin/users',
      '/admin/units',
    ]);
    assert.deepEqual(admin.current, ['/posts']);
    assert.deepEqual(nav(await home(scene.admin.user.email)).current, ['/']);

    const editor = nav(await home(scene.editor.user.email, '/templates/new'));
    assert.deepEqual(editor.hrefs, [
      '/',
      '/compose',
      '/calendar',
      '/posts',
      '/stats',
      '/media',
      '/templates',
    ]);
    assert.deepEqual(editor.current, ['/templates']);

    // A refused page keeps the shell, with nothing marked.
    const { agent, ip } = await signedInAgent(t, scene.editor.user.email);
    const refused = await agent.get('/admin/users').set('X-Forwarded-For', ip);
    assert.equal(refused.status, 403);
    assert.deepEqual(nav(refused.text), { hrefs: editor.hrefs, current: [] });

    const reviewer = nav(await home(scene.reviewer.user.email, '/review'));
    assert.deepEqual(reviewer.hrefs, [
      '/',
      '/review',
      '/calendar',
      '/posts',
      '/stats',
      '/media',
      '/templates',
      '/members',
      '/members/participation',
    ]);
    assert.deepEqual(reviewer.current, ['/review']);
    // The members area: its pages belong to "Thành viên", participation to its own section.
    assert.deepEqual(nav(await home(scene.reviewer.user.email, '/members/invitations')).current, [
      '/members',
    ]);
    assert.deepEqual(nav(await home(scene.reviewer.user.email, '/members/participation')).current, [
      '/members/participation',
    ]);
  });

  it('speaks English when asked', async () => {
    const html = await home(scene.admin.user.email, '/?lang=en');
    assert.match(card(html, 'review') ?? '', /Waiting for your review/);
    assert.match(card(html, 'upcoming') ?? '', /Going out in the next 24 hours/);
    assert.match(html, /aria-label="Main navigation"/);
    assert.match(html, />Media library</);
  });
});
