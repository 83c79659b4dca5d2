import assert from 'node:assert/strict';
import { desc, eq, sql } from 'drizzle-orm';
import { auditLog } from '../../../server/db/schema.ts';
import { createTestApp, makeUser, type TestApp } from '../../support/app.ts';

describe('audit log', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  /** Runs `change` with the append-only trigger lifted, as someone with database access could. */
  async function tamper(change: () => Promise<unknown>) {
    const db = t.c.database.db;
    await db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`);
    try {
      await change();
    } finally {
      await db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`);
    }
  }

  it('chains entries and verifies an intact log', async () => {
    await makeUser(t, 'editor');
    const result = await t.c.auditLog.verify();
    assert.equal(result.ok, true, JSON.stringify(result));
    const [last, previous] = await t.c.database.db
      .select()
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(2);
    assert.equal(last?.prevHash, previous?.hash);
    assert.equal(last?.seq, (previous?.seq ?? 0) + 1);
  });

  it('seals an entry that commits late after the ones sealed before it, and the chain holds', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedPromise = new Promise<void>((resolve) => (inserted = resolve));
    const late = t.c.database.db.transaction(async (tx) => {
      await t.c.auditLog.record({ action: 'test.late', details: { n: 1 } }, tx);
      inserted();
      await held;
    });
    await insertedPromise;
    await t.c.auditLog.record({ action: 'test.early', details: { n: 2 } });
    await t.c.auditLog.seal();
    release();
    await late;
    assert.equal((await t.c.auditLog.verify()).ok, true);
    const rows = await t.c.database.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.action} in ('test.late', 'test.early')`);
    const lateRow = rows.find((r) => r.action === 'test.late')!;
    const earlyRow = rows.find((r) => r.action === 'test.early')!;
    assert.ok(lateRow.id < earlyRow.id, 'the late entry got its id first');
    assert.ok(lateRow.seq! > earlyRow.seq!, 'but was chained after, when it committed');
  });

  it('lets sealing set the chain columns once, and nothing else', async () => {
    await t.c.auditLog.record({ action: 'test.sealed' });
    await t.c.auditLog.seal();
    const [row] = await t.c.database.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
    const appendOnly = (error: unknown) =>
      /append-only/.test(String((error as { cause?: Error }).cause?.message));
    await assert.rejects(
      t.c.database.db
        .update(auditLog)
        .set({ hash: 'f'.repeat(64) })
        .where(eq(auditLog.id, row!.id)),
      appendOnly,
      'a sealed row cannot be re-sealed',
    );
  });

  it('refuses updates and deletes through SQL', async () => {
    const [row] = await t.c.database.db.select().from(auditLog).limit(1);
    const appendOnly = (error: unknown) =>
      /append-only/.test(String((error as { cause?: Error }).cause?.message));
    await assert.rejects(
      t.c.database.db.update(auditLog).set({ action: 'x' }).where(eq(auditLog.id, row!.id)),
      appendOnly,
    );
    await assert.rejects(t.c.database.db.delete(auditLog).where(eq(auditLog.id, row!.id)), appendOnly);
  });

  it('keeps the chain under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.c.auditLog.record({ action: 'test.concurrent', details: { i } }),
      ),
    );
    assert.equal((await t.c.auditLog.verify()).ok, true);
  });

  it('names the first entry whose content was changed, and the entry after one that was deleted', async () => {
    const { user } = await makeUser(t, 'member');
    await t.c.auditLog.record({ action: 'test.after', targetId: user.id });
    await t.c.auditLog.seal();
    const [changed] = await t.c.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, user.id))
      .orderBy(auditLog.id)
      .limit(1);
    assert.ok(changed);
    await tamper(() =>
      t.c.database.db
        .update(auditLog)
        .set({ details: { email: 'someone-else@example.vn' } })
        .where(eq(auditLog.id, changed.id)),
    );
    const broken = await t.c.auditLog.verify();
    assert.equal(broken.ok, false);
    assert.ok(!broken.ok && broken.brokenId === changed.id && /changed/.test(broken.reason));

    // Put it back, then delete it: the next entry's link no longer matches.
    await tamper(() =>
      t.c.database.db.update(auditLog).set({ details: changed.details }).where(eq(auditLog.id, changed.id)),
    );
    assert.equal((await t.c.auditLog.verify()).ok, true);
    const [next] = await t.c.database.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.seq} > ${changed.seq}`)
      .orderBy(auditLog.seq)
      .limit(1);
    await tamper(() => t.c.database.db.delete(auditLog).where(eq(auditLog.id, changed.id)));
    const afterDelete = await t.c.auditLog.verify();
    assert.ok(!afterDelete.ok && afterDelete.brokenId === next?.id && /missing/.test(afterDelete.reason));
  });
});
