/**
 * The DuckDB sandbox (ADR 0800): every query of the explore module runs in an in-memory DuckDB
 * instance that can read nothing but the Parquet files of the resources it was opened for.
 *
 * Opening an instance: memory and thread limits, extensions neither installed nor loaded,
 * `allowed_paths` = those files, the spill directory a private one, then
 * `enable_external_access = false` (no other file, no network, no ATTACH, no INSTALL/LOAD/COPY) and
 * `lock_configuration = true` (no SET, no PRAGMA changing a setting). Each source is a view
 * (`CREATE VIEW "alias" AS SELECT file_row_number + 1 AS __id, * … FROM read_parquet('<file>', file_row_number = true)`).
 *
 * Running a query: exactly one statement, and it must be a SELECT (DuckDB's own parser says so, not
 * a regular expression), values bound as parameters, at most `maxRows` rows read, and an interrupt
 * after `timeoutMs`. Because nothing but SELECTs ever runs in it, an instance holds no state of a
 * caller and is reused for the next query on the same sources (a small LRU per node).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

export interface SandboxLimits {
  memoryMb: number;
  threads: number;
  timeoutMs: number;
  maxRows: number;
  /** Interrupts the query when aborted (a count nobody waits for any more); it then fails as `cancelled`. */
  signal?: AbortSignal;
}

export interface SandboxSource {
  /** SQL name of the view (`[a-z_][a-z0-9_]*`). */
  alias: string;
  /** Absolute path of the Parquet file on this node. */
  file: string;
}

export interface SandboxResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  truncated: boolean;
}

/** A query the sandbox refuses or that failed inside it, with a French message for the user. */
export class SandboxError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'timeout' | 'failed' | 'busy' | 'cancelled',
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

const ALIAS = /^[a-z_][a-z0-9_]{0,39}$/;
const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

const NUMERIC = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'FLOAT', 'DOUBLE']);

/** JSON-friendly cell: numbers as numbers (DuckDB's JSON form gives big integers and decimals as strings). */
function cell(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if ((NUMERIC.has(type) || type.startsWith('DECIMAL')) && typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) ? n : v;
  }
  return v;
}

class SandboxInstance {
  private constructor(
    readonly instance: DuckDBInstance,
    readonly key: string,
  ) {}
  lastUsed = Date.now();
  busy = 0;

  static async open(sources: SandboxSource[], limits: SandboxLimits, spillDir: string): Promise<SandboxInstance> {
    for (const s of sources) {
      if (!ALIAS.test(s.alias)) throw new SandboxError(`Nom de source invalide « ${s.alias} ».`, 'refused');
      if (!path.isAbsolute(s.file)) throw new Error(`sandbox: ${s.file} is not absolute`);
    }
    fs.mkdirSync(spillDir, { recursive: true, mode: 0o700 });
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(limits.threads),
      memory_limit: `${limits.memoryMb}MB`,
      max_temp_directory_size: `${limits.memoryMb * 2}MB`,
      temp_directory: spillDir,
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
      allow_unsigned_extensions: 'false',
    });
    const c = await instance.connect();
    try {
      await c.run(`SET allowed_paths = [${sources.map((s) => quoteLiteral(s.file)).join(', ')}]`);
      await c.run(`SET allowed_directories = [${quoteLiteral(spillDir.endsWith('/') ? spillDir : `${spillDir}/`)}]`);
      await c.run('SET enable_external_access = false');
      // `__id`: the row's number in the file (as api-tabular's), read from Parquet's row positions.
      for (const s of sources)
        await c.run(
          `CREATE VIEW ${quoteIdent(s.alias)} AS SELECT file_row_number + 1 AS __id, * EXCLUDE (file_row_number) FROM read_parquet(${quoteLiteral(s.file)}, file_row_number = true)`,
        );
      await c.run('SET lock_configuration = true');
    } catch (e) {
      c.closeSync();
      instance.closeSync();
      throw e;
    } finally {
      c.closeSync();
    }
    return new SandboxInstance(instance, sources.map((s) => `${s.alias}=${s.file}`).join('|'));
  }

  async run(sql: string, params: DuckDBValue[], limits: SandboxLimits): Promise<SandboxResult> {
    this.busy++;
    this.lastUsed = Date.now();
    const c: DuckDBConnection = await this.instance.connect();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      c.interrupt();
    }, limits.timeoutMs);
    const cancel = () => c.interrupt();
    limits.signal?.addEventListener('abort', cancel, { once: true });
    try {
      if (limits.signal?.aborted) throw new SandboxError('Requête annulée.', 'cancelled');
      let extracted;
      try {
        extracted = await c.extractStatements(sql);
      } catch (e) {
        throw new SandboxError(`Requête SQL invalide : ${firstLine(e)}`, 'refused');
      }
      if (extracted.count !== 1) throw new SandboxError('Une seule instruction SELECT est permise (pas de « ; » entre plusieurs instructions).', 'refused');
      let prepared;
      try {
        prepared = await extracted.prepare(0);
      } catch (e) {
        throw new SandboxError(describe(e), 'refused');
      }
      if (prepared.statementType !== StatementType.SELECT) {
        prepared.destroySync();
        throw new SandboxError(
          `Seules les requêtes de lecture (SELECT) sont permises ; instruction refusée : ${StatementType[prepared.statementType]}.`,
          'refused',
        );
      }
      try {
        if (params.length) prepared.bind(params);
        const reader = await prepared.streamAndReadUntil(limits.maxRows + 1);
        const names = reader.columnNames();
        const types = reader.columnTypes().map((t) => t.toString());
        const json = reader.getRowsJson() as unknown[][];
        const truncated = json.length > limits.maxRows;
        const rows = json.slice(0, limits.maxRows).map((r) => r.map((v, i) => cell(v, types[i]!)));
        return { columns: names.map((name, i) => ({ name, type: types[i]! })), rows, truncated };
      } finally {
        prepared.destroySync();
      }
    } catch (e) {
      if (e instanceof SandboxError) throw e;
      if (limits.signal?.aborted && !timedOut) throw new SandboxError('Requête annulée.', 'cancelled');
      if (timedOut)
        throw new SandboxError(`La requête a dépassé le temps permis (${Math.round(limits.timeoutMs / 100) / 10} s) et a été interrompue.`, 'timeout');
      throw new SandboxError(describe(e), 'failed');
    } finally {
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', cancel);
      c.closeSync();
      this.busy--;
      this.lastUsed = Date.now();
    }
  }

  close(): void {
    this.instance.closeSync();
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .split('\n')[0]!
    .slice(0, 300);
}

/** DuckDB's message, in French where we know it (permission, configuration, memory). */
function describe(e: unknown): string {
  const m = firstLine(e);
  if (/Permission Error|external access|file system operations are disabled/i.test(m))
    return 'Accès refusé : une requête ne lit que les ressources choisies (aucun fichier, réseau ni extension).';
  if (/configuration has been locked|Cannot change configuration/i.test(m)) return 'Accès refusé : la configuration du moteur ne peut pas être modifiée.';
  if (/Out of Memory|memory limit/i.test(m)) return 'La requête demande plus de mémoire que permis : filtrez ou agrégez davantage.';
  if (/Interrupted/i.test(m)) return 'La requête a été interrompue.';
  return `Erreur d’exécution : ${m}`;
}

/** Instances kept per set of sources on this node (LRU); idle ones are closed. */
export class Sandbox {
  private readonly pool = new Map<string, Promise<SandboxInstance>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly limits: SandboxLimits,
    private readonly spillDir: string,
    private readonly maxInstances = 8,
    /** Queries running at once on this node (each with its threads and memory); the next ones wait. */
    private readonly maxConcurrent = 4,
    /** Queries waiting at most; beyond, the query is refused (`busy`). */
    private readonly maxWaiting = 64,
  ) {}

  async query(sources: SandboxSource[], sql: string, params: DuckDBValue[] = [], limits: Partial<SandboxLimits> = {}): Promise<SandboxResult> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiting.length >= this.maxWaiting)
        throw new SandboxError('Trop de requêtes d’exploration en cours sur ce serveur : réessayez dans un instant.', 'busy');
      await new Promise<void>((ok) => this.waiting.push(ok));
    }
    // Cancelled while it waited for a slot: it never takes one.
    if (limits.signal?.aborted) {
      this.waiting.shift()?.();
      throw new SandboxError('Requête annulée.', 'cancelled');
    }
    this.running++;
    try {
      return await this.run(sources, sql, params, limits);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private async run(sources: SandboxSource[], sql: string, params: DuckDBValue[], limits: Partial<SandboxLimits>): Promise<SandboxResult> {
    const key = sources.map((s) => `${s.alias}=${s.file}`).join('|');
    let p = this.pool.get(key);
    if (!p) {
      p = SandboxInstance.open(sources, this.limits, this.spillDir);
      this.pool.set(key, p);
      p.catch(() => this.pool.delete(key));
      this.evict();
    } else {
      // Most recently used last.
      this.pool.delete(key);
      this.pool.set(key, p);
    }
    const inst = await p;
    return inst.run(sql, params, { ...this.limits, ...limits });
  }

  /** Drops the instances reading a file (its extract was replaced). */
  forget(file: string): void {
    for (const [key, p] of this.pool) {
      if (key.split('|').some((part) => part.endsWith(`=${file}`))) {
        this.pool.delete(key);
        void p.then((i) => closeWhenIdle(i)).catch(() => undefined);
      }
    }
  }

  private evict(): void {
    while (this.pool.size > this.maxInstances) {
      const [key, p] = this.pool.entries().next().value as [string, Promise<SandboxInstance>];
      this.pool.delete(key);
      void p.then((i) => closeWhenIdle(i)).catch(() => undefined);
    }
  }

  close(): void {
    for (const p of this.pool.values()) void p.then((i) => i.close()).catch(() => undefined);
    this.pool.clear();
  }
}

function closeWhenIdle(i: SandboxInstance): void {
  if (i.busy === 0) return i.close();
  setTimeout(() => closeWhenIdle(i), 200).unref();
}
