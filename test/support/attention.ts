// A day that needs attention, for the start-page tests: a post waiting for review, one sent
// back to its writer, a publication that failed, a channel that needs reconnecting and a post
// going out in a few hours. Written through the services; only the failure and the broken
// token are set straight in the database, where publishing itself is not the point. The
// waiting and upcoming posts are due within the hour so that they head their lists even when
// other test files left posts behind.
import { eq } from 'drizzle-orm';
import { SYSTEM_ACTOR, type Actor } from '../../server/auth/actor.ts';
import { channels, posts, publications } from '../../server/db/schema.ts';
import { makeUser, type TestApp } from './app.ts';
import type { TestPlatforms } from './platforms.ts';

export function inHours(h: number): Date {
  return new Date(Date.now() + h * 3_600_000);
}

function actorOf(user: { id: string; email: string; name: string; role: Actor['role'] }): Actor {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    unitId: null,
    scope: null,
    via: 'token',
  };
}

export async function attentionScene(t: TestApp, platforms: TestPlatforms, label = 'Cảnh báo') {
  const [admin, editor, reviewer, member] = await Promise.all([
    makeUser(t, 'admin', { name: 'Trần Quản Trị' }),
    makeUser(t, 'editor', { name: 'Nguyễn Biên Tập' }),
    makeUser(t, 'reviewer', { name: 'Lê Người Duyệt' }),
    makeUser(t, 'member', { name: 'Phạm Thành Viên' }),
  ]);
  const page = await platforms.createPage(`Trang ${label}`);
  const oa = await platforms.createOa(`OA ${label}`);
  const broken = await platforms.createPage(`Trang hỏng ${label}`);
  const facebook = await t.c.channels.connect(SYSTEM_ACTOR, {
    platform: 'facebook',
    externalId: page.id,
    accessToken: page.access_token,
    name: `Trang Công an ${label}`,
  });
  const zalo = await t.c.channels.connect(SYSTEM_ACTOR, {
    platform: 'zalo',
    externalId: oa.oa_id,
    accessToken: oa.access_token,
    refreshToken: oa.refresh_token,
    name: `Zalo Công an ${label}`,
  });
  const needsReconnect = await t.c.channels.connect(SYSTEM_ACTOR, {
    platform: 'facebook',
    externalId: broken.id,
    accessToken: broken.access_token,
    name: `Trang cũ ${label}`,
  });
  const db = t.c.database.db;
  await db
    .update(channels)
    .set({ status: 'needs_reconnect', statusReason: 'Mã truy cập đã bị thu hồi' })
    .where(eq(channels.id, needsReconnect.id));

  const ed = actorOf(editor.user);
  const rv = actorOf(reviewer.user);
  const write = (title: string, hours: number) =>
    t.c.posts.createPost(ed, {
      text: `${title}\n\nNgười dân cảnh giác, gọi 113 khi nghi ngờ.`,
      channelIds: [facebook.id, zalo.id],
      scheduledAt: inHours(hours),
    });

  const waiting = await write(`${label}: giả danh công an gọi điện`, 0.2);
  await t.c.postWorkflow.submit(ed, waiting.id);

  const failed = await write(`${label}: lừa đảo đầu tư tiền ảo`, 2);
  await t.c.postWorkflow.submit(ed, failed.id);
  await t.c.postWorkflow.approve(rv, failed.id, {});
  await db
    .update(publications)
    .set({
      status: 'failed',
      lastErrorKind: 'rejected',
      lastError: 'Nội dung bị từ chối (mã 368)',
      updatedAt: new Date(),
    })
    .where(eq(publications.postId, failed.id));
  await db.update(posts).set({ status: 'failed' }).where(eq(posts.id, failed.id));

  const upcoming = await write(`${label}: việc nhẹ lương cao`, 0.3);
  await t.c.postWorkflow.submit(ed, upcoming.id);
  await t.c.postWorkflow.approve(rv, upcoming.id, {});

  const later = await write(`${label}: vay tiền qua ứng dụng`, 30);
  await t.c.postWorkflow.submit(ed, later.id);
  await t.c.postWorkflow.approve(rv, later.id, {});

  const returned = await write(`${label}: mua bán tài khoản, SIM`, 6);
  await t.c.postWorkflow.submit(ed, returned.id);
  await t.c.postWorkflow.reject(rv, returned.id, { comment: 'Thêm số điện thoại đường dây nóng' });

  return {
    admin,
    editor,
    reviewer,
    member,
    channels: { facebook, zalo, needsReconnect },
    posts: { waiting, failed, upcoming, later, returned },
  };
}

export type AttentionScene = Awaited<ReturnType<typeof attentionScene>>;
