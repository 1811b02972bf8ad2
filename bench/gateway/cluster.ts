// « One process per core » mode of the gateway benchmark: Node's cluster module forks one
// `patrimoine serve --role gateway` per worker, sharing the listening port (round-robin).
import cluster from 'node:cluster';

const workers = Number(process.env.BENCH_WORKERS ?? 2);
if (cluster.isPrimary) {
  let ready = 0;
  for (let i = 0; i < workers; i++) {
    const w = cluster.fork();
    w.on('message', (m) => {
      if (m === 'ready' && ++ready === workers) process.send?.('ready');
    });
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
  });
} else {
  const { loadEnv } = await import('../../server/src/env.ts');
  const { serve } = await import('../../server/src/serve.ts');
  await serve(loadEnv(), 'gateway');
  process.send?.('ready');
}
