import fs from 'node:fs';
import path from 'node:path';
import { sql, type ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** A Drizzle database or transaction, on PGlite or on PostgreSQL: repositories accept either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Runs raw SQL text (several statements allowed); used by migrations and maintenance. */
  exec(text: string): Promise<void>;
  /** Parameterised query returning rows; for the few places that need driver-level access. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
  /** Connection string when on PostgreSQL (jobs needing a dedicated connection, e.g. COPY). */
  url?: string;
  /**
   * Subscribes to a `NOTIFY` channel (PostgreSQL: one dedicated connection, re-opened after a loss;
   * PGlite: its in-process listener). Notifications sent inside a transaction arrive at its commit.
   * Returns the unsubscribe function.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent, PGlite is used. */
  url?: string;
  /** PGlite data directory; `memory://` (or undefined) for an in-memory database. */
  dataDir?: string;
  poolSize?: number;
  /** A PGlite dump (tarball) to start from: lets tests skip re-running migrations. */
  loadDataDir?: Blob;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.poolSize ?? 10);
  return openPglite(opts.dataDir, opts.loadDataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pg = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  // int8 (bigint, count(*)) as JS numbers: our counts stay far below 2^53.
  pg.default.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.default.Pool({ connectionString: url, max: poolSize, application_name: 'patrimoine' });
  pool.on('error', () => {
    /* idle client errors (server restart) are reported by the next query */
  });
  const db = drizzle(pool, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    url,
    async exec(text) {
      await pool.query(text);
    },
    async query<T>(text: string, params?: unknown[]) {
      const r = await pool.query(text, params as unknown[]);
      return r.rows as T[];
    },
    async close() {
      await pool.end();
    },
    async listen(channel, onNotify) {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
      let closed = false;
      let client: InstanceType<typeof pg.default.Client> | null = null;
      let retry: NodeJS.Timeout | null = null;
      const open = async () => {
        const c = new pg.default.Client({ connectionString: url, application_name: 'patrimoine-listen' });
        c.on('notification', (m) => {
          if (m.channel === channel) onNotify(m.payload ?? '');
        });
        // A lost connection (server restart): listen again a second later; the poll covers the gap.
        c.on('error', () => {
          void c.end().catch(() => undefined);
          if (client === c) client = null;
          if (!closed && !retry) retry = setTimeout(reopen, 1000);
        });
        await c.connect();
        await c.query(`LISTEN ${channel}`);
        if (closed) await c.end();
        else client = c;
      };
      const reopen = () => {
        retry = null;
        if (!closed) open().catch(() => (closed ? undefined : (retry = setTimeout(reopen, 1000))));
      };
      await open();
      return async () => {
        closed = true;
        if (retry) clearTimeout(retry);
        await client?.end().catch(() => undefined);
        client = null;
      };
    },
  };
}

async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database> {
  const { PGlite, types } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { unaccent } = await import('@electric-sql/pglite/contrib/unaccent');
  const { drizzle } = await import('drizzle-orm/pglite');
  const inMemory = !dataDir || dataDir.startsWith('memory://');
  if (!inMemory) {
    // The data directory holds the whole database (password hashes, personal data): owner only,
    // as PostgreSQL requires of its own (0700); a parent we create is owner-only too.
    const dir = path.resolve(dataDir);
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }
  const client = await PGlite.create({
    dataDir: inMemory ? undefined : dataDir,
    extensions: { pg_trgm, unaccent },
    loadDataDir,
    parsers: { [types.INT8]: (v: string) => Number(v) },
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    async exec(text) {
      await client.exec(text);
    },
    async query<T>(text: string, params?: unknown[]) {
      const r = await client.query<T>(text, params);
      return r.rows;
    },
    async close() {
      await client.close();
    },
    async listen(channel, onNotify) {
      const off = await client.listen(channel, onNotify);
      return async () => {
        if (!client.closed) await off();
      };
    },
    ...({ pglite: client } as object),
  };
}

/** Liveness of the database connection. */
export async function ping(database: Database): Promise<boolean> {
  try {
    await database.db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/** Error fields that hold a query's bound values or the row data PostgreSQL quotes back. */
const VALUE_FIELDS = ['params', 'queryOptions', 'detail', 'where', 'internalQuery', 'parameters'] as const;

/**
 * Makes a database error safe to log (issue 10: a failing query's log line printed the scrypt hash
 * it was binding): Drizzle's « Failed query: … params: … » keeps its SQL text only, and along the
 * whole `cause` chain the bound values, PostgreSQL's `detail` (« Key (login)=(…) ») and any bound
 * value quoted in a message or stack are removed. Mutates and returns the error; other errors pass.
 */
export function redactQueryError<T>(err: T): T {
  const seen = new Set<unknown>();
  const values: string[] = [];
  for (let e: unknown = err; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const params = (e as { params?: unknown }).params;
    if (Array.isArray(params))
      for (const v of params) {
        const s = typeof v === 'string' ? v : v instanceof Date || v === null || v === undefined ? '' : JSON.stringify(v);
        if (s && s.length >= 3) values.push(s);
      }
  }
  if (!seen.size) return err;
  const scrub = (text: string) => values.reduce((t, v) => t.split(v).join('[valeur]'), text);
  for (const e of seen) {
    const o = e as { query?: unknown; params?: unknown; message?: unknown; stack?: unknown } & Record<string, unknown>;
    const isDrizzle = typeof o.query === 'string' && Array.isArray(o.params) && typeof o.message === 'string' && o.message.startsWith('Failed query:');
    if (typeof o.message === 'string') {
      const before = o.message;
      const message = isDrizzle ? `Failed query: ${o.query as string}` : scrub(before);
      if (message !== before) {
        o.message = message;
        if (typeof o.stack === 'string') {
          const at = o.stack.indexOf('\n    at ');
          o.stack = `${(o as { name?: string }).name ?? 'Error'}: ${message}${at >= 0 ? o.stack.slice(at) : ''}`;
        }
      }
    }
    if (typeof o.stack === 'string') o.stack = scrub(o.stack);
    if (typeof o.query === 'string') o.query = scrub(o.query);
    for (const f of VALUE_FIELDS) if (f in o) delete o[f];
  }
  return err;
}
