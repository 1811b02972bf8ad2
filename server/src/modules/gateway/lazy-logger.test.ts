import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger } from './lazy-logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: ['req.headers["x-api-key"]'], censor: '[masqué]' } }, stream);
  return { logger, lines };
}

describe('data plane request logger', () => {
  it('makes no pino child for a call that never logs', () => {
    const { logger } = capture();
    let children = 0;
    const child = logger.child.bind(logger);
    logger.child = ((...a: Parameters<typeof child>) => (children++, child(...a))) as typeof logger.child;
    const log = lazyChildLogger(logger, { reqId: 'r1' }, {});
    expect(log.level).toBe('info');
    expect(children).toBe(0);
    log.debug('below the level');
    expect(children).toBe(1);
  });

  it('logs with the request id and the node logger’s redaction once something logs', async () => {
    const { logger, lines } = capture();
    const log = lazyChildLogger(logger, { reqId: 'r2' }, {});
    log.warn({ req: { headers: { 'x-api-key': 'pgw_secret' } }, api: 'echo' }, 'gateway: upstream error');
    log.child({ step: 'retry' }).error('again');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ reqId: 'r2', api: 'echo', msg: 'gateway: upstream error', level: 40 });
    expect(JSON.stringify(lines[0])).not.toContain('pgw_secret');
    expect(lines[1]).toMatchObject({ reqId: 'r2', step: 'retry', msg: 'again', level: 50 });
  });
});
