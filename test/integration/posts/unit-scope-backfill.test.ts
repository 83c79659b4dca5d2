// Migration 0006's backfill, run on rows written as before it (no unit on media, posts and
// channels), inside a transaction that is rolled back: each row takes the unit that sensibly
// owns it, and what no unit owns stays for unscoped users.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { testDatabase } from '../../support/database.ts';

const MIGRATION = new URL('../../../server/db/migrations/0006_unit_scope.sql', import.meta.url);

/** The migration's data statements (its UPDATEs), in order. */
function backfillStatements(): string[] {
  return readFileSync(MIGRATION, 'utf8')
    .split('--> statement-breakpoint')
    .map((s) => s.replace(/^--.*$/gm, '').trim())
    .filter((s) => s.startsWith('UPDATE'));
}

describe('unit scope: the migration gives existing rows their unit', () => {
  let client: pg.PoolClient;

  before(async () => {
    client = await (await testDatabase()).handle.pool.connect();
  });
  after(() => client?.release());

  it('takes the uploader, author or creator unit, and for a channel the one unit that posted to it', async () => {
    await client.query('BEGIN');
    try {
      const id = () => randomUUID();
      const [province, commune, other] = [id(), id(), id()];
      await client.query(
        `INSERT INTO units (id, name, parent_id) VALUES ($1, $4, NULL), ($2, 'Công an xã', $1), ($3, 'Công an phường', $1)`,
        [province, commune, other, `Công an tỉnh ${province.slice(0, 6)}`],
      );
      const [communeEditor, otherEditor, admin] = [id(), id(), id()];
      await client.query(
        `INSERT INTO users (id, email, name, role, unit_id, password_hash) VALUES
           ($1::uuid, $1::text || '@example.vn', 'Biên tập xã', 'editor', $4::uuid, 'x'),
           ($2::uuid, $2::text || '@example.vn', 'Biên tập phường', 'editor', $5::uuid, 'x'),
           ($3::uuid, $3::text || '@example.vn', 'Quản trị', 'admin', NULL, 'x')`,
        [communeEditor, otherEditor, admin, commune, other],
      );
      const [communePage, sharedPage, adminPage, untouchedPage] = [id(), id(), id(), id()];
      await client.query(
        `INSERT INTO channels (id, platform, external_id, name, access_token_enc, created_by) VALUES
           ($1::uuid, 'facebook', $1::text, 'Trang xã', 'x', $5::uuid),
           ($2::uuid, 'facebook', $2::text, 'Trang chung', 'x', $5::uuid),
           ($3::uuid, 'facebook', $3::text, 'Trang của quản trị', 'x', $5::uuid),
           ($4::uuid, 'zalo', $4::text, 'OA chưa dùng', 'x', $5::uuid)`,
        [communePage, sharedPage, adminPage, untouchedPage, admin],
      );
      const post = (author: string, channels: string[]) =>
        client.query(
          `INSERT INTO posts (id, title, text, channel_ids, scheduled_at, author_id, slug)
           VALUES ($1::uuid, 'Cảnh báo', 'Cảnh báo', $2::jsonb, now(), $3::uuid, $1::text) RETURNING id`,
          [id(), JSON.stringify(channels), author],
        );
      const communePost = (await post(communeEditor, [communePage, sharedPage])).rows[0].id as string;
      await post(otherEditor, [sharedPage]);
      const adminPost = (await post(admin, [adminPage])).rows[0].id as string;
      const [communeImage, adminImage] = [id(), id()];
      await client.query(
        `INSERT INTO media (id, sha256, file, mime, width, height, bytes, created_by) VALUES
           ($1::uuid, $1::text, $1::text, 'image/png', 1, 1, 1, $3::uuid),
           ($2::uuid, $2::text, $2::text, 'image/png', 1, 1, 1, $4::uuid)`,
        [communeImage, adminImage, communeEditor, admin],
      );
      // As the rows were before the migration: nothing carries a unit.
      await client.query(`UPDATE posts SET unit_id = NULL WHERE author_id IN ($1, $2, $3)`, [
        communeEditor,
        otherEditor,
        admin,
      ]);

      for (const statement of backfillStatements()) await client.query(statement);

      const unitOf = async (table: string, rowId: string) =>
        (await client.query(`SELECT unit_id FROM ${table} WHERE id = $1`, [rowId])).rows[0]?.unit_id ?? null;
      assert.equal(await unitOf('posts', communePost), commune, "a post takes its author's unit");
      assert.equal(
        await unitOf('posts', adminPost),
        null,
        'an unscoped author leaves the post without a unit',
      );
      assert.equal(await unitOf('media', communeImage), commune, "an image takes its uploader's unit");
      assert.equal(await unitOf('media', adminImage), null);
      assert.equal(await unitOf('channels', communePage), commune, 'only the commune posted to its Page');
      assert.equal(await unitOf('channels', sharedPage), null, 'two units posted to it: an admin decides');
      assert.equal(await unitOf('channels', adminPage), null, 'only posts without a unit went to it');
      assert.equal(await unitOf('channels', untouchedPage), null);
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
