import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import { redactQueryError, type Db } from '../../db/client.ts';
import type { Clock } from '../clock.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { Job } from '@patrimoine/contracts/platform';
import { isSystem, requireUser, type Caller } from '../auth/principal.ts';
import { createJobsRepository, type JobRow } from './jobs.repository.ts';

export interface JobProgress {
  done: number;
  total?: number;
  message?: string;
}

export interface JobContext<P = unknown, C = unknown> {
  job: JobRow;
  payload: P;
  /** Last checkpoint saved by a previous run of this job (after a restart), or null. */
  checkpoint: C | null;
  /** Aborted when cancellation is requested or the node shuts down. */
  signal: AbortSignal;
  /** Records progress (and optionally a resume point); persisted at most every `heartbeatMs`. */
  progress(p: JobProgress, checkpoint?: C): Promise<void>;
}

export interface JobHandler<P = unknown, R = unknown, C = unknown> {
  run(ctx: JobContext<P, C>): Promise<R>;
  /** How long the job and its result are kept after it ends (ms); forever when absent. */
  retentionMs?: number;
  maxAttempts?: number;
  /** Called when a job is cancelled or fails for good, to clean up files. */
  cleanup?(job: JobRow): Promise<void>;
  /**
   * Called once the job's end is recorded (succeeded, or failed for good: out of attempts, permanent
   * error or quarantined), e.g. to notify a webhook. Its errors are logged, never the job's.
   */
  finished?(job: JobRow, outcome: 'succeeded' | 'failed'): Promise<void>;
  /** What the job does and on which file, in French, and what a finished job gives to download. */
  describe?(job: JobRow): JobDescription;
}

/** How a job is named to people (`/taches`): a title, the file it works on, the files it produced. */
export interface JobDescription {
  title: string;
  fileName?: string | null;
  downloads?: { label: string; href: string }[];
}

/** Titles of job types without a handler on this node (or without `describe`). */
const FALLBACK_TITLES: Record<string, string> = {
  'platform.mail': 'Envoi d’un courriel',
};

export class JobCancelledError extends Error {
  constructor() {
    super('Tâche annulée');
  }
}

/** This node's lease ran out and another node took the job over, or it was quarantined. */
class LeaseLostError extends Error {
  constructor() {
    super('Bail de la tâche perdu');
  }
}

/** A job as the API shows it (no payload, checkpoint or lease), named by its handler's `describe`. */
export function toPublicJob(j: JobRow, describe?: (j: JobRow) => JobDescription): Job {
  let d: JobDescription | null = null;
  try {
    d = describe?.(j) ?? null;
  } catch {
    d = null; // a payload of an older shape: the job keeps its generic name
  }
  return {
    id: j.id,
    type: j.type,
    title: d?.title ?? FALLBACK_TITLES[j.type] ?? `Tâche ${j.type}`,
    fileName: d?.fileName ?? null,
    downloads: d?.downloads ?? [],
    state: j.state,
    progress: j.progress as JobProgress,
    result: j.result,
    error: j.error,
    attempts: j.attempts,
    ownerId: j.ownerId,
    cancelRequested: j.cancelRequested,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    expiresAt: j.expiresAt,
  };
}

/** The `NOTIFY` channel of queued jobs (payload: the job type). */
export const JOBS_CHANNEL = 'patrimoine_jobs';

/**
 * Persistent job runner: jobs live in the database, any node may run them (FOR UPDATE SKIP LOCKED),
 * a lease renewed by heartbeats lets another node resume a job whose node died, from its checkpoint.
 */
export function createJobsService(deps: {
  db: Db;
  clock: Clock;
  logger: FastifyBaseLogger;
  concurrency: number;
  pollMs: number;
  leaseMs?: number;
  heartbeatMs?: number;
  /**
   * The database's `LISTEN` (ADR 0002): every enqueue sends `NOTIFY patrimoine_jobs` (at the commit of
   * its transaction), which wakes the claim loop of every node at once instead of at its next poll.
   * Without it, only this node's enqueues wake it.
   */
  listen?: (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>;
}) {
  const repo = createJobsRepository(deps.db);
  const handlers = new Map<string, JobHandler<never, unknown, never>>();
  const node = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const leaseMs = deps.leaseMs ?? 30_000;
  const heartbeatMs = deps.heartbeatMs ?? 1_000;
  const running = new Map<string, AbortController>();
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;
  /** A wake-up that came while the loop was claiming: it claims again before sleeping. */
  let kicked = false;
  const kick = () => {
    kicked = true;
    wake?.();
  };
  let unlisten: (() => Promise<void>) | null = null;
  let subscribed: Promise<void> = Promise.resolve();
  let loop: Promise<void> | null = null;

  async function runOne(job: JobRow) {
    const handler = handlers.get(job.type)!;
    const ac = new AbortController();
    running.set(job.id, ac);
    let lastBeat = 0;
    const st: { pending: { progress: JobProgress; checkpoint?: unknown } | null; last: JobProgress | null } = { pending: null, last: null };
    const beat = async (force = false) => {
      const t = Date.now();
      if (!force && t - lastBeat < heartbeatMs) return;
      lastBeat = t;
      const p = st.pending;
      st.pending = null;
      const r = await repo.heartbeat(job.id, node, leaseMs, deps.clock.now(), p?.progress, p?.checkpoint);
      if (!r.owned && !ac.signal.aborted) ac.abort(new LeaseLostError());
      else if (r.cancel && !ac.signal.aborted) ac.abort(new JobCancelledError());
    };
    const keepAlive = setInterval(() => void beat(true).catch(() => undefined), Math.max(200, Math.min(heartbeatMs, leaseMs / 3)));
    try {
      const result = await handler.run({
        job,
        payload: job.payload as never,
        checkpoint: (job.checkpoint ?? null) as never,
        signal: ac.signal,
        progress: async (progress, checkpoint) => {
          if (ac.signal.aborted) throw ac.signal.reason ?? new JobCancelledError();
          st.pending = { progress, ...(checkpoint !== undefined ? { checkpoint } : {}) };
          st.last = progress;
          await beat();
        },
      });
      clearInterval(keepAlive);
      await repo.finish(job.id, node, 'succeeded', deps.clock.now(), {
        result,
        ...(st.last ? { progress: st.last } : {}),
        expiresAt: handler.retentionMs ? new Date(deps.clock.now().getTime() + handler.retentionMs) : null,
      });
      await finished(handler, job, 'succeeded');
    } catch (err) {
      clearInterval(keepAlive);
      const now = deps.clock.now();
      if (ac.signal.aborted && stopping && !(ac.signal.reason instanceof JobCancelledError)) {
        // Node shutting down: leave the job to be resumed (lease expiry) from its checkpoint.
        await repo.heartbeat(job.id, node, 0, now, st.pending?.progress, st.pending?.checkpoint).catch(() => undefined);
        return;
      }
      if (ac.signal.reason instanceof LeaseLostError) {
        // Another node took the job over (or it was quarantined): its state and files are no longer ours.
        deps.logger.warn({ jobId: job.id, type: job.type }, 'job lease lost');
        return;
      }
      if (err instanceof JobCancelledError || ac.signal.reason instanceof JobCancelledError) {
        await repo.finish(job.id, node, 'cancelled', now, {
          error: 'Annulée à la demande de l’utilisateur.',
          expiresAt: handler.retentionMs ? new Date(now.getTime() + handler.retentionMs) : null,
        });
        await handler.cleanup?.(job).catch(() => undefined);
        return;
      }
      // A database error keeps its SQL text, never its bound values (logged, and shown as the job's error).
      redactQueryError(err);
      const message = err instanceof Error ? err.message : String(err);
      const max = handler.maxAttempts ?? job.maxAttempts;
      deps.logger.error({ err, jobId: job.id, type: job.type, attempt: job.attempts }, 'job failed');
      if (job.attempts < max && !(err as { permanent?: boolean }).permanent) {
        await repo.retryLater(job.id, node, now, new Date(now.getTime() + 2 ** job.attempts * 1000), message);
      } else {
        await repo.finish(job.id, node, 'failed', now, {
          error: message,
          expiresAt: handler.retentionMs ? new Date(now.getTime() + handler.retentionMs) : null,
        });
        await handler.cleanup?.(job).catch(() => undefined);
        await finished(handler, job, 'failed');
      }
    } finally {
      running.delete(job.id);
      kick();
    }
  }

  /** Fails the jobs that stopped their node on every attempt (they would take the next node down too). */
  async function quarantine() {
    const types = [...handlers.keys()];
    const rows = await repo.quarantine(types, deps.clock.now()).catch((err) => {
      deps.logger.warn({ err }, 'job quarantine failed');
      return [];
    });
    for (const j of rows) {
      deps.logger.error({ jobId: j.id, type: j.type, attempts: j.attempts }, 'job quarantined: its node stopped on every attempt');
      const handler = handlers.get(j.type);
      if (handler?.retentionMs) await repo.setExpiry(j.id, new Date(deps.clock.now().getTime() + handler.retentionMs)).catch(() => undefined);
      await handler?.cleanup?.(j).catch(() => undefined);
      if (handler) await finished(handler, j, 'failed');
    }
  }

  async function finished(handler: JobHandler, job: JobRow, outcome: 'succeeded' | 'failed') {
    await handler.finished?.(job, outcome).catch((err: unknown) => deps.logger.warn({ err, jobId: job.id, type: job.type }, 'job end hook failed'));
  }

  async function pump() {
    while (!stopping) {
      let claimed = false;
      kicked = false;
      await quarantine();
      while (!stopping && running.size < deps.concurrency) {
        const job = await repo.claim([...handlers.keys()], node, leaseMs, deps.clock.now()).catch((err) => {
          deps.logger.warn({ err }, 'job claim failed');
          return null;
        });
        if (!job) break;
        claimed = true;
        void runOne(job);
      }
      if ((!claimed && !kicked) || running.size >= deps.concurrency) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, deps.pollMs);
        });
        wake = null;
        if (timer) clearTimeout(timer);
      }
    }
  }

  return {
    node,
    /** Registers a handler for a job type (`module.task`). */
    register<P, R, C>(type: string, handler: JobHandler<P, R, C>) {
      handlers.set(type, handler as never);
    },
    /** Queues a job; returns its row. Pass a transaction to enqueue atomically with other writes. */
    async enqueue(type: string, payload: unknown, opts: { ownerId?: string | null; runAfter?: Date; maxAttempts?: number; tx?: Db } = {}) {
      const j = await repo.insert(
        {
          type,
          payload: payload as object,
          ownerId: opts.ownerId ?? null,
          runAfter: opts.runAfter ?? deps.clock.now(),
          maxAttempts: opts.maxAttempts ?? handlers.get(type)?.maxAttempts ?? 3,
        },
        opts.tx,
      );
      // Every node's runner hears it (at the commit when `tx` is given); this node's at once.
      if (deps.listen && !opts.runAfter) await (opts.tx ?? deps.db).execute(sql`SELECT pg_notify(${JOBS_CHANNEL}, ${type})`);
      kick();
      return j;
    },
    async get(id: string) {
      return repo.find(id);
    },
    /** A job as its owner or an admin may see it (the system sees every job; an anonymous caller none). */
    async getFor(id: string, c: Caller) {
      const j = await repo.find(id);
      if (!j) throw new NotFoundError('Tâche introuvable.');
      if (isSystem(c)) return j;
      const p = requireUser(c);
      if (j.ownerId !== p.userId && p.role !== 'admin') throw new ForbiddenError('Cette tâche ne vous appartient pas.');
      return j;
    },
    /** Requests the cancellation of a job its owner, an admin or the system may cancel. */
    async cancel(id: string, c: Caller) {
      await this.getFor(id, c);
      const j = await repo.requestCancel(id, deps.clock.now());
      const running_ = running.get(id);
      if (running_ && !running_.signal.aborted) running_.abort(new JobCancelledError());
      if (j?.state === 'cancelled')
        await handlers
          .get(j.type)
          ?.cleanup?.(j)
          .catch(() => undefined);
      return j ?? (await repo.find(id));
    },
    list: repo.list,
    /** A job as the API shows it, named by its handler (the caller was authorised to see it). */
    present(j: JobRow): Job {
      const h = handlers.get(j.type);
      return toPublicJob(j, h?.describe ? (x) => h.describe!(x) : undefined);
    },
    countActive: repo.countActive,
    /**
     * Wakes the claim loop of this node now (call it once the transaction that enqueued a job has
     * committed: `enqueue(…, { tx })` cannot, its row is not visible yet) instead of waiting for the poll.
     */
    notify() {
      kick();
    },
    /** Waits until a job ends (tests, CLI). */
    async waitFor(id: string, timeoutMs = 60_000): Promise<JobRow> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const j = await repo.find(id);
        if (!j) throw new NotFoundError('Tâche introuvable.');
        if (['succeeded', 'failed', 'cancelled'].includes(j.state)) return j;
        if (Date.now() > deadline) throw new Error(`job ${id} still ${j.state} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** Starts claiming jobs on this node. */
    start() {
      if (loop || deps.concurrency === 0) return;
      stopping = false;
      loop = pump();
      // Woken by the enqueues of other nodes (API nodes queue, workers run): no wait for the poll.
      const listening = deps
        .listen?.(JOBS_CHANNEL, () => kick())
        .then(
          (off) => {
            if (stopping) return off();
            unlisten = off;
          },
          (err: unknown) => deps.logger.warn({ err }, 'jobs: LISTEN failed, the poll interval bounds pick-up'),
        );
      subscribed = listening ?? Promise.resolve();
      // Expired results are purged once a minute.
      const sweep = setInterval(() => {
        repo.deleteExpired(deps.clock.now()).catch(() => undefined);
      }, 60_000);
      sweep.unref();
      void loop.finally(() => clearInterval(sweep));
    },
    /** Resolves once `start()`'s subscription to other nodes' enqueues is in place (tests). */
    listening(): Promise<void> {
      return subscribed;
    },
    /** Stops claiming, interrupts running jobs (they resume elsewhere from their checkpoint). */
    async stop() {
      stopping = true;
      wake?.();
      await unlisten?.();
      unlisten = null;
      for (const ac of running.values()) ac.abort(new Error('shutdown'));
      await loop;
      const deadline = Date.now() + 10_000;
      while (running.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      loop = null;
    },
  };
}
export type JobsService = ReturnType<typeof createJobsService>;
