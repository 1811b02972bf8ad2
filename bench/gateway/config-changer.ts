// The configuration changes of the gateway benchmark, from a process of their own: run in the load
// client's process, their database work delayed the client's own timers and showed as the gateway's
// latency. Changes one plan's per-minute limit every `intervalMs`, as the system, until SIGTERM;
// prints the number of changes made on exit. Args: planId intervalMs; env as the gateway's.
export {};

const [planId, intervalArg] = process.argv.slice(2);
if (!planId) throw new Error('usage: config-changer.ts <planId> [intervalMs]');
const intervalMs = Number(intervalArg ?? 100);
const { loadEnv } = await import('../../server/src/env.ts');
const { createContext } = await import('../../server/src/platform/bootstrap.ts');
const { moduleFactories } = await import('../../server/src/modules/index.ts');
const platform = await createContext(loadEnv(), moduleFactories);
const gw = platform.services.gateway!;
const system = { kind: 'system' as const, label: 'bench' };
const sys = { id: null, label: 'bench' };
let changes = 0;
let running = true;
process.on('SIGTERM', () => {
  running = false;
});
process.send?.('ready');
while (running) {
  const t = Date.now();
  changes++;
  await gw.service.updatePlan(system, planId, { perMinute: changes % 2 ? 10_000_000 : null }, sys).catch(() => undefined);
  await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - t))));
}
process.send?.({ changes });
await platform.close();
process.exit(0);
