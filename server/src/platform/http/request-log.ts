import type { FastifyInstance } from 'fastify';

/** User-Agent of the platform's own availability probes: their requests log at `debug`. */
export const PROBE_USER_AGENT = 'Patrimoine-Probe/1';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Health checks and the like: their request line logs at `debug`, not `info`. */
    quietLog?: boolean;
  }
}

/**
 * One log line per request, when it ends: method, path (never the query string: it can hold
 * personal data or secrets), route, status and duration. Server errors log at `error`; health
 * checks and the platform's own probes at `debug`, so that a terminal is not filled with them.
 */
export function registerRequestLog(app: FastifyInstance) {
  app.addHook('onResponse', async (req, reply) => {
    const quiet = req.routeOptions.config?.quietLog === true || (req.headers['user-agent'] ?? '').startsWith(PROBE_USER_AGENT);
    const level = reply.statusCode >= 500 ? 'error' : quiet ? 'debug' : 'info';
    req.log[level](
      {
        method: req.method,
        path: req.url.split('?')[0],
        route: req.routeOptions.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      `${req.method} ${req.url.split('?')[0]} ${reply.statusCode}`,
    );
  });
}
