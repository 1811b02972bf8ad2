// The baseline of the gateway benchmark: Fastify + undici, nothing else (no auth, no limits, no
// analytics): what a Node proxy costs at all.  Usage: tsx bare-proxy.ts <port> <upstream origin>
import Fastify from 'fastify';
import { Pool } from 'undici';

const [port, upstream] = [Number(process.argv[2]), process.argv[3]!];
const pool = new Pool(upstream, { connections: 256, pipelining: 1, keepAliveTimeout: 10_000 });
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
app.all('/*', async (req, reply) => {
  const res = await pool.request({ path: req.url, method: req.method as 'GET', headers: { host: new URL(upstream).host } });
  const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...headers } = res.headers;
  void _c;
  void _k;
  void _t;
  reply.status(res.statusCode).headers(headers);
  return reply.send(res.body);
});
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
