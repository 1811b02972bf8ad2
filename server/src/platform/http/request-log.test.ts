import { Writable } from 'node:stream';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PROBE_USER_AGENT, registerRequestLog } from './request-log.ts';
import { createLogger, prettyLogs } from '../bootstrap.ts';
import { loadEnv } from '../../env.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}

describe('request log', () => {
  it('writes one line per request, without the query string; health checks and probes at debug', async () => {
    const { lines, stream } = capture();
    const app = Fastify({ loggerInstance: pino({ level: 'info' }, stream), logController: new LogController({ disableRequestLogging: true }) });
    registerRequestLog(app as unknown as FastifyInstance);
    app.get('/x', async () => ({ ok: true }));
    app.get('/health', { config: { quietLog: true } }, async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    await app.inject('/x?nom=Dupont&token=secret');
    await app.inject('/health');
    await app.inject({ url: '/x', headers: { 'user-agent': PROBE_USER_AGENT } });
    await app.inject('/boom');
    await app.close();
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.route);
    expect(requests.map((r) => [r.path, r.status, r.level])).toEqual([
      ['/x', 200, 30],
      ['/boom', 500, 50],
    ]);
    expect(lines.join('\n')).not.toMatch(/Dupont|secret/);
  });
});

describe('logger', () => {
  it('is readable on a terminal and JSON otherwise, unless LOG_PRETTY says', () => {
    expect(prettyLogs({ LOG_PRETTY: 'auto' }, true)).toBe(true);
    expect(prettyLogs({ LOG_PRETTY: 'auto' }, false)).toBe(false);
    expect(prettyLogs({ LOG_PRETTY: 'false' }, true)).toBe(false);
    expect(prettyLogs({ LOG_PRETTY: 'true' }, false)).toBe(true);
  });

  it('prints readable lines when pretty, JSON lines otherwise, and redacts secrets in both', () => {
    for (const mode of ['true', 'false'] as const) {
      const { lines, stream } = capture();
      const log = createLogger(loadEnv({ LOG_PRETTY: mode }), stream);
      log.info({ user: { password: 'hunter2' } }, 'démarrage terminé');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('démarrage terminé');
      expect(lines[0]).not.toContain('hunter2');
      if (mode === 'true') expect(() => JSON.parse(lines[0]!)).toThrow();
      else expect(JSON.parse(lines[0]!).msg).toBe('démarrage terminé');
    }
  });

  it('never logs the bound values of a failed query, whoever logs the error', () => {
    const { lines, stream } = capture();
    const log = createLogger(loadEnv({ LOG_PRETTY: 'false' }), stream);
    const err = Object.assign(new Error('Failed query: insert into users values ($1, $2)\nparams: scrypt$secret-hash,Dupont'), {
      query: 'insert into users values ($1, $2)',
      params: ['scrypt$secret-hash', 'Dupont'],
    });
    log.error({ err }, 'échec');
    expect(lines.join('\n')).toContain('Failed query: insert into users');
    expect(lines.join('\n')).not.toMatch(/secret-hash|Dupont/);
  });
});
