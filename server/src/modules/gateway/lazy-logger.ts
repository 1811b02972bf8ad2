import type { FastifyBaseLogger } from 'fastify';

type Level = 'info' | 'error' | 'debug' | 'fatal' | 'warn' | 'trace' | 'silent';

/**
 * A request's logger on the data plane, made from the node's logger the first time something logs
 * (an upstream error, a failed check): most proxied calls never log, and a pino child with the
 * platform's redaction rules was made for each of them (≈ 3 % of the data plane's allocations).
 * A class, so that a request costs one small object (no closures per request).
 */
class LazyLogger {
  private real: FastifyBaseLogger | null = null;
  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Record<string, unknown>,
    private readonly opts: object,
  ) {}
  private get logger(): FastifyBaseLogger {
    return (this.real ??= this.parent.child(this.bindings, this.opts));
  }
  get level(): string {
    return this.real?.level ?? this.parent.level;
  }
  set level(l: string) {
    this.logger.level = l;
  }
  private call(level: Level, args: unknown[]) {
    (this.logger[level] as (...a: unknown[]) => void)(...args);
  }
  info(...a: unknown[]) {
    this.call('info', a);
  }
  error(...a: unknown[]) {
    this.call('error', a);
  }
  debug(...a: unknown[]) {
    this.call('debug', a);
  }
  fatal(...a: unknown[]) {
    this.call('fatal', a);
  }
  warn(...a: unknown[]) {
    this.call('warn', a);
  }
  trace(...a: unknown[]) {
    this.call('trace', a);
  }
  silent(...a: unknown[]) {
    this.call('silent', a);
  }
  child(b: Record<string, unknown>, o?: object): FastifyBaseLogger {
    return this.logger.child(b, o);
  }
}

export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Record<string, unknown>, opts: object): FastifyBaseLogger {
  return new LazyLogger(logger, bindings, opts) as unknown as FastifyBaseLogger;
}
