// In-app notifications: sent to people by id or role, counted unread in the nav, listed on
// /notifications, marked read one by one or all at once.
import assert from 'node:assert/strict';
import { createTestApp, makeUser, signedInAgent, type TestApp } from '../../support/app.ts';

describe('notifications', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('reaches users by role, shows the unread count in the nav, and marks read', async () => {
    const admin = await makeUser(t, 'admin');
    const editor = await makeUser(t, 'editor');
    const told = await t.c.notifications.notify(
      { roles: ['admin'] },
      { kind: 'channel_needs_reconnect', message: 'Kênh "Trang A" cần kết nối lại', link: '/admin/channels' },
    );
    assert.ok(told >= 1);
    await t.c.notifications.notify(
      { userIds: [admin.user.id] },
      { kind: 'publication_failed', message: 'Bài "B" không đăng được', link: 'https://evil.example/x' },
    );
    assert.equal(await t.c.notifications.unreadCount(editor.user.id), 0, 'not an admin: not told');

    const { agent, csrf, ip } = await signedInAgent(t, admin.user.email);
    const home = await agent.get('/').set('X-Forwarded-For', ip);
    assert.match(home.text, /data-unread="2"/);
    const page = await agent.get('/notifications').set('X-Forwarded-For', ip);
    assert.equal(page.status, 200);
    assert.match(page.text, /Kênh &quot;Trang A&quot; cần kết nối lại/);
    assert.match(page.text, /Kênh cần kết nối lại/);
    assert.equal(page.text.includes('https://evil.example'), false, 'only local links are kept');

    const [first] = await t.c.notifications.listForUser(admin.user.id);
    await agent
      .post(`/notifications/${first!.id}/read`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf });
    assert.equal(await t.c.notifications.unreadCount(admin.user.id), 1);
    await agent.post('/notifications/read').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrf });
    assert.equal(await t.c.notifications.unreadCount(admin.user.id), 0);
    const after = await agent.get('/').set('X-Forwarded-For', ip);
    assert.doesNotMatch(after.text, /data-unread=/);
  });
});
