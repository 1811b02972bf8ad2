// Gateway benchmark (issue 6): throughput and added latency against a local upstream, compared in
// one run with the upstream direct, nginx (proxy_pass + keep-alive, one worker) and a bare
// Fastify + undici proxy; limit accuracy on one node and on two nodes sharing Redis; memory over a
// soak. Prints figures against the targets; never fails on time.
//
//   npm run bench:gateway
//   BENCH_SECONDS=10 BENCH_SOAK_SECONDS=600 BENCH_DATABASE_URL=postgres://… REDIS_URL=redis://… npm run bench:gateway
//   BENCH_PROFILE=/tmp/gwprof npm run bench:gateway   (CPU profile of the single gateway process;
//   BENCH_PROFILE_KIND=heap for its allocations; BENCH_ONLY=throughput,latency,limits,soak for some sections)
//
// Needs wrk and nginx (apt-get install -y wrk nginx-light), a PostgreSQL server and Redis (nodes
// of the per-core mode share them).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** BENCH_ONLY=throughput,latency,limits,soak: the sections to run (all by default). */
const ONLY = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean));
const want = (section: 'throughput' | 'latency' | 'limits' | 'soak') => !ONLY.size || ONLY.has(section);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-gwbench-'));
const children: ChildProcess[] = [];

function which(bin: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${bin} || ls /usr/sbin/${bin} 2>/dev/null`], { encoding: 'utf8' });
  return r.stdout.trim().split('\n')[0] || null;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function waitFor(url: string, headers: Record<string, string> = {}, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url, { headers });
      if (r.status < 500) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`not ready: ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function start(cmd: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const c = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let err = '';
  c.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  c.on('exit', (code) => {
    if (code && code !== 0 && !stopping) console.error(`${cmd} ${args.join(' ')} exited ${code}:\n${err}`);
  });
  children.push(c);
  return c;
}
let stopping = false;
async function stop(c: ChildProcess) {
  if (c.exitCode !== null) return;
  c.kill('SIGTERM');
  await new Promise((r) => {
    c.once('exit', r);
    setTimeout(() => {
      c.kill('SIGKILL');
      r(null);
    }, 5000).unref();
  });
}

function nginxConf(name: string, body: string) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    file,
    `worker_processes 1;\ndaemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 4096; }\n` +
      `http {\n access_log off;\n client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};\n keepalive_requests 1000000;\n${body}\n}\n`,
  );
  return file;
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** CPU time (user + system) the proxy process spent per call: unlike req/s, barely moved by other processes. */
  cpuUs?: number;
}
/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}
function ms(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}
function wrk(url: string, headers: Record<string, string> = {}): WrkResult {
  const args = ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const r = spawnSync('wrk', args, { encoding: 'utf8' });
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50, p99, non2xx };
}

/**
 * Constant-rate client (wrk cannot hold a rate): latencies and status counts. Calls go to the targets
 * in turn (`perTarget` headers, if given, replace `headers` for each): `byTarget` gives each one's
 * quantiles, measured under the same conditions.
 */
async function constantRate(targets: string[], rate: number, seconds: number, headers: Record<string, string>, perTarget?: Record<string, string>[]) {
  const pools = targets.map((t) => new Pool(new URL(t).origin, { connections: 64 }));
  const lat: number[] = [];
  const lats: number[][] = targets.map(() => []);
  const status = new Map<number, number>();
  const total = rate * seconds;
  const t0 = performance.now();
  let sent = 0;
  const inflight: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      for (; sent < due; sent++) {
        const i = sent % targets.length;
        const u = new URL(targets[i]!);
        const s = performance.now();
        inflight.push(
          pools[i]!.request({ path: u.pathname + u.search, method: 'GET', headers: perTarget?.[i] ?? headers })
            .then(async (r) => {
              await r.body.dump();
              lat.push(performance.now() - s);
              lats[i]!.push(performance.now() - s);
              status.set(r.statusCode, (status.get(r.statusCode) ?? 0) + 1);
            })
            .catch(() => void status.set(0, (status.get(0) ?? 0) + 1)),
        );
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(inflight);
  await Promise.all(pools.map((p) => p.close()));
  const q = (xs: number[], p: number) => xs[Math.floor(xs.length * p)] ?? NaN;
  lat.sort((a, b) => a - b);
  for (const l of lats) l.sort((a, b) => a - b);
  return {
    p50: q(lat, 0.5),
    p99: q(lat, 0.99),
    byTarget: lats.map((l) => ({ p50: q(l, 0.5), p99: q(l, 0.99) })),
    status,
    elapsed: (performance.now() - t0) / 1000,
  };
}

/** The gateway's event-loop lateness (ms) since the previous call, from its Prometheus metrics. */
async function loopLag(port: number): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/gw/-/metrics`)).text();
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN) * 1000;
  return { p99: num(/^nodejs_eventloop_delay_seconds\{quantile="0.99"\} (\S+)$/m), max: num(/^nodejs_eventloop_delay_max_seconds (\S+)$/m) };
}

function rssOf(pid: number): number {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

const line = (name: string, value: string, target: string, ok: boolean | null) =>
  console.log(`${ok === null ? '·' : ok ? '✔' : '✘'} ${name.padEnd(52)} ${value.padEnd(34)} ${target}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function setupDatabase() {
  const pg = await import('pg');
  const dbName = `patrimoine_gwbench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.default.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return { url: u.toString(), name: dbName };
}

async function dropDatabase(name: string) {
  const pg = await import('pg');
  const admin = new pg.default.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

async function main() {
  for (const bin of ['wrk', 'nginx']) if (!which(bin)) throw new Error(`${bin} is missing: apt-get install -y wrk nginx-light`);
  const nginx = which('nginx')!;
  console.log(`Gateway benchmark — ${os.cpus().length} cores, wrk -t2 -c${CONNECTIONS} -d${SECONDS}s × ${REPEAT} (medians), soak ${SOAK_SECONDS} s`);
  // Figures are only comparable on an otherwise idle machine: say how busy it was.
  console.log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );

  // Upstream: nginx answering a small JSON document (fast enough not to be the bottleneck).
  const upPort = await freePort();
  start(nginx, [
    '-c',
    nginxConf(
      'upstream',
      ` server { listen 127.0.0.1:${upPort}; location / { default_type application/json; return 200 '{"ok":true,"source":"upstream"}'; } }`,
    ),
  ]);
  const proxyPort = await freePort();
  start(nginx, [
    '-c',
    nginxConf(
      'proxy',
      ` upstream up { server 127.0.0.1:${upPort}; keepalive 64; }\n server { listen 127.0.0.1:${proxyPort}; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } }`,
    ),
  ]);
  const barePort = await freePort();
  const bareProxy = start(process.execPath, ['--import', 'tsx', 'bench/gateway/bare-proxy.ts', String(barePort), `http://127.0.0.1:${upPort}`]);

  // The gateway's configuration, in a fresh PostgreSQL database.
  const db = await setupDatabase();
  const secret = randomBytes(32).toString('hex');
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: `gwbench${randomBytes(3).toString('hex')}:`,
    GATEWAY_SECRET_KEY: secret,
    PATRIMOINE_DATA_DIR: tmp,
    LOG_LEVEL: 'error',
    PATRIMOINE_SEED_DEMO: 'false',
    HOST: '127.0.0.1',
  };
  const { loadEnv } = await import('../../server/src/env.ts');
  const { createContext } = await import('../../server/src/platform/bootstrap.ts');
  const { moduleFactories } = await import('../../server/src/modules/index.ts');
  const { seedOrganisations } = await import('../../server/src/platform/seed.ts');
  const platform = await createContext(loadEnv({ ...process.env, ...env }), moduleFactories);
  await seedOrganisations(platform.ctx);
  const gw = platform.services.gateway!;
  // The benchmark sets the gateway up as the system (audited as « bench »).
  const system = { kind: 'system' as const, label: 'bench' };
  const sys = { id: null, label: 'bench' };
  // Both benchmark APIs proxy the same local upstream; they differ by their plan.
  const benchApi = (slug: string, name: string) =>
    gw.service.createApi(
      system,
      {
        slug,
        name,
        description: '',
        audience: '',
        organisationCode: 'DNUM',
        visibility: 'public',
        upstreamUrl: `http://127.0.0.1:${upPort}`,
        timeoutMs: 10_000,
        allowPrivateUpstream: true,
        requiredScope: null,
        failPolicy: 'open',
        maxBodyBytes: 1 << 20,
        enabled: true,
        healthPath: '/',
      },
      sys,
    );
  const api = await benchApi('bench', 'Bench');
  const plan = await gw.service.createPlan(
    system,
    api.id,
    { slug: 'large', name: 'Large', keyless: false, perSecond: 1_000_000, perMinute: null, perDay: null, perMonth: null, approval: 'auto', scopes: [] },
    sys,
  );
  const limited = await benchApi('limited', 'Limited');
  const plan20 = await gw.service.createPlan(
    system,
    limited.id,
    { slug: 'twenty', name: '20/s', keyless: false, perSecond: 20, perMinute: null, perDay: null, perMonth: null, approval: 'auto', scopes: [] },
    sys,
  );
  const app = await gw.service.createApp(system, { name: 'Bench app', description: '', organisationCode: 'DNUM' }, sys);
  await gw.service.subscribe(system, app.id, plan.id, '', sys);
  await gw.service.subscribe(system, app.id, plan20.id, '', sys);
  const { key } = await gw.service.createKey(system, app.id, { name: 'bench', expiresInDays: null }, sys);
  // Kept open: the benchmark changes the configuration while measuring latency (below).
  openPlatform = platform;
  const auth = { 'x-api-key': key };

  const mainPort = await freePort();
  const gwPort = await freePort();
  // BENCH_PROFILE=<dir>: the single gateway process writes a V8 CPU profile there when it stops
  // (BENCH_PROFILE_KIND=heap: a sampling heap profile, what allocates on the call path).
  const kind = process.env.BENCH_PROFILE_KIND === 'heap' ? 'heap' : 'cpu';
  const profile = process.env.BENCH_PROFILE ? [`--${kind}-prof`, `--${kind}-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`] : [];
  const one = start(process.execPath, [...profile, 'server/bin/patrimoine.mjs', 'serve', '--role', 'gateway'], {
    ...env,
    PORT: String(mainPort),
    GATEWAY_PORT: String(gwPort),
  });
  await Promise.all([
    waitFor(`http://127.0.0.1:${upPort}/`),
    waitFor(`http://127.0.0.1:${proxyPort}/`),
    waitFor(`http://127.0.0.1:${barePort}/`),
    waitFor(`http://127.0.0.1:${gwPort}/gw/bench/`, auth),
  ]);

  if (want('throughput')) {
    // --- Throughput at saturation ---
    const results: Record<string, WrkResult> = {};
    // On a shared machine a load burst can hit any one scenario: the scenarios are interleaved
    // BENCH_REPEAT times and each figure is the median of its runs.
    const runs: Record<string, WrkResult[]> = {};
    const scenarios: [string, string, Record<string, string>, number | null][] = [
      ['upstream', `http://127.0.0.1:${upPort}/`, {}, null],
      ['nginx', `http://127.0.0.1:${proxyPort}/`, {}, null],
      ['bare', `http://127.0.0.1:${barePort}/`, {}, bareProxy.pid!],
      ['gatewayMain', `http://127.0.0.1:${mainPort}/gw/bench/`, auth, one.pid!],
      ['gateway', `http://127.0.0.1:${gwPort}/gw/bench/`, auth, one.pid!],
    ];
    for (let i = 0; i < REPEAT; i++)
      for (const [k, url, h, pid] of scenarios) {
        const cpu0 = pid ? cpuSeconds(pid) : NaN;
        const r = wrk(url, h);
        if (pid) r.cpuUs = ((cpuSeconds(pid) - cpu0) * 1e6) / (r.rps * SECONDS);
        (runs[k] ??= []).push(r);
      }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const [k, rs] of Object.entries(runs))
      results[k] = {
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        cpuUs: rs[0]!.cpuUs === undefined ? undefined : median(rs.map((r) => r.cpuUs!)),
        non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
      };
    const pairRatios = runs.gateway!.map((g, i) => g.rps / runs.bare![i]!.rps);
    await stop(one);
    const clusterPort = await freePort();
    const perCore = start(process.execPath, ['--import', 'tsx', 'bench/gateway/cluster.ts'], {
      ...env,
      PORT: String(await freePort()),
      GATEWAY_PORT: String(clusterPort),
      BENCH_WORKERS: String(os.cpus().length),
    });
    // Every worker must be up (loaded and listening) before measuring.
    await new Promise<void>((resolve, reject) => {
      perCore.once('message', (m) => (m === 'ready' ? resolve() : undefined));
      setTimeout(() => reject(new Error('cluster not ready after 120 s')), 120_000).unref();
    });
    await waitFor(`http://127.0.0.1:${clusterPort}/gw/bench/`, auth);
    results.perCore = wrk(`http://127.0.0.1:${clusterPort}/gw/bench/`, auth);
    await stop(perCore);

    console.log(`Throughput at saturation (wrk, median of ${REPEAT} interleaved runs):`);
    for (const [k, label] of [
      ['upstream', 'upstream direct (nginx, return 200)'],
      ['nginx', 'nginx proxy_pass keep-alive, 1 worker'],
      ['bare', 'bare Node proxy (Fastify + undici)'],
      ['gatewayMain', 'gateway, 1 process, main port (platform hooks)'],
      ['gateway', 'gateway, 1 process, GATEWAY_PORT (key, limits, analytics)'],
      ['perCore', `gateway, ${os.cpus().length} processes (cluster)`],
    ] as const) {
      const r = results[k]!;
      const cpu = r.cpuUs === undefined ? '' : `, ${r.cpuUs.toFixed(0)} µs CPU/call`;
      line(label, `${fmt(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${cpu}`, r.non2xx ? `(${r.non2xx} non-2xx!)` : '', null);
    }
    const g = results.gateway!;
    const bare = results.bare!;
    const best = Math.max(g.rps, results.perCore!.rps);
    line(
      'gateway / bare Node proxy (1 process)',
      `${((g.rps / bare.rps) * 100).toFixed(1)} % (runs: ${pairRatios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')})`,
      'target ≥ 80 %',
      g.rps / bare.rps >= 0.8,
    );
    line(
      'gateway per-core / nginx',
      `${((results.perCore!.rps / results.nginx!.rps) * 100).toFixed(1)} %`,
      'target ≥ 25 %',
      results.perCore!.rps / results.nginx!.rps >= 0.25,
    );
    // The same comparison by CPU time per call, which other processes on the machine move much less.
    line('gateway / bare proxy, by CPU per call', `${((bare.cpuUs! / g.cpuUs!) * 100).toFixed(1)} %`, '(bare µs ÷ gateway µs)', null);
    void best;
  } else await stop(one);

  // --- Added p99 latency at 1,000 requests/s ---
  const gw2 = start(process.execPath, ['server/bin/patrimoine.mjs', 'serve', '--role', 'gateway'], {
    ...env,
    PORT: String(mainPort),
    GATEWAY_PORT: String(gwPort),
  });
  await waitFor(`http://127.0.0.1:${gwPort}/gw/bench/`, auth);
  if (want('latency')) {
    // Warm-up (JIT, connection pools) before measuring.
    await constantRate([`http://127.0.0.1:${gwPort}/gw/bench/`], 1000, 3, auth);
    // The upstream direct and the gateway, 1,000 req/s each, call by call in turn: both see the same
    // moments of the host (run one after the other, a slower minute of the host went to one of them).
    await loopLag(gwPort);
    const mixed = await constantRate([`http://127.0.0.1:${upPort}/`, `http://127.0.0.1:${gwPort}/gw/bench/`], 2000, SECONDS, {}, [{}, auth]);
    const lag = await loopLag(gwPort);
    const [direct, through] = mixed.byTarget as [{ p50: number; p99: number }, { p50: number; p99: number }];
    console.log('\nLatency at 1,000 req/s (constant rate; upstream direct and gateway interleaved):');
    line('upstream direct', `p50 ${direct.p50.toFixed(2)} ms, p99 ${direct.p99.toFixed(2)} ms`, '', null);
    line('through the gateway', `p50 ${through.p50.toFixed(2)} ms, p99 ${through.p99.toFixed(2)} ms`, '', null);
    // Where a slow call's time went: the gateway's own event loop running late delays every call in flight.
    line('gateway event loop lateness', `p99 ${lag.p99.toFixed(2)} ms, max ${lag.max.toFixed(2)} ms`, '', null);
    const added = through.p99 - direct.p99;
    line('added p99', `${added.toFixed(2)} ms`, 'target < 2 ms', added < 2);
    // The same load while the configuration changes 10 times a second (each node rebuilds and swaps
    // its route table at every poll): the latency must not jump (ADR 0402). The changes come from a
    // process of their own, so that their database work does not stall this load client's timers.
    const changer = start(process.execPath, ['--import', 'tsx', 'bench/gateway/config-changer.ts', plan.id, '100'], env);
    await new Promise<void>((resolve, reject) => {
      changer.once('message', () => resolve());
      changer.once('exit', (code) => reject(new Error(`config changer exited ${code}`)));
    });
    await loopLag(gwPort);
    // Interleaved with the upstream direct as the steady figure was, so that the two compare.
    const duringRun = await constantRate([`http://127.0.0.1:${upPort}/`, `http://127.0.0.1:${gwPort}/gw/bench/`], 2000, SECONDS, {}, [{}, auth]);
    const during = { ...duringRun.byTarget[1]!, status: duringRun.status };
    const lagDuring = await loopLag(gwPort);
    const changes = await new Promise<number>((resolve) => {
      changer.once('message', (m) => resolve((m as { changes: number }).changes));
      changer.kill('SIGTERM');
    });
    line(
      `through the gateway, ${changes} config changes`,
      `p50 ${during.p50.toFixed(2)} ms, p99 ${during.p99.toFixed(2)} ms`,
      `non-200: ${[...during.status].filter(([c]) => c !== 200).reduce((a, [, n]) => a + n, 0)}`,
      null,
    );
    line('gateway event loop lateness during changes', `p99 ${lagDuring.p99.toFixed(2)} ms, max ${lagDuring.max.toFixed(2)} ms`, '', null);
    line('p99 during changes − p99 steady', `${(during.p99 - through.p99).toFixed(2)} ms`, 'target: no spike (< 2 ms)', during.p99 - through.p99 < 2);
  }

  if (want('limits')) {
    // --- Limit accuracy: 20 calls/s over 10 s, 100 req/s offered ---
    const second = start(process.execPath, ['server/bin/patrimoine.mjs', 'serve', '--role', 'gateway'], {
      ...env,
      PORT: String(await freePort()),
      GATEWAY_PORT: String(await freePort().then((p) => (secondPort = p))),
    });
    await waitFor(`http://127.0.0.1:${secondPort}/gw/limited/`, auth);
    console.log('\nLimit accuracy (plan 20 calls/s, 100 req/s offered for 10 s):');
    const oneNode = await constantRate([`http://127.0.0.1:${gwPort}/gw/limited/`], 100, 10, auth);
    const ok1 = oneNode.status.get(200) ?? 0;
    line('one node', `${ok1} accepted (expected ${20 * 10}), ${(((ok1 - 200) / 200) * 100).toFixed(1)} %`, 'target ±5 %', Math.abs(ok1 - 200) <= 10);
    await new Promise((r) => setTimeout(r, 1100));
    const twoNodes = await constantRate([`http://127.0.0.1:${gwPort}/gw/limited/`, `http://127.0.0.1:${secondPort}/gw/limited/`], 100, 10, auth);
    const ok2 = twoNodes.status.get(200) ?? 0;
    line(
      'two nodes sharing Redis (alternating)',
      `${ok2} accepted (expected ${20 * 10}), ${(((ok2 - 200) / 200) * 100).toFixed(1)} %`,
      'target ±5 %',
      Math.abs(ok2 - 200) <= 10,
    );
    await stop(second);
  }

  if (want('soak')) {
    // --- Memory over a soak ---
    console.log(`\nMemory over a ${SOAK_SECONDS} s soak at 2,000 req/s (one gateway process):`);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssOf(gw2.pid!)), 5000);
    samples.push(rssOf(gw2.pid!));
    const soak = await constantRate([`http://127.0.0.1:${gwPort}/gw/bench/`], 2000, SOAK_SECONDS, auth);
    clearInterval(sampler);
    samples.push(rssOf(gw2.pid!));
    const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
    const half = samples.slice(Math.floor(samples.length / 2));
    const growth = half.length > 1 ? half[half.length - 1]! - half[0]! : 0;
    line(
      'RSS start / max / end',
      `${mb(samples[0]!)} / ${mb(Math.max(...samples))} / ${mb(samples[samples.length - 1]!)}`,
      `${soak.status.get(200) ?? 0} calls`,
      null,
    );
    line('RSS growth over the second half', mb(growth), 'target: flat (< 10 MB)', growth < 10 * 1048576);
  }
  console.log(
    `\nload average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await stop(gw2);
}

let secondPort = 0;
let openPlatform = null as { close(): Promise<void> } | null;
try {
  await main();
} finally {
  stopping = true;
  await Promise.all(children.map(stop));
  await openPlatform?.close();
  const dbs = fs.existsSync(tmp) ? tmp : null;
  if (dbs) fs.rmSync(tmp, { recursive: true, force: true });
  const pg = await import('pg');
  const admin = new pg.default.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const left = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'patrimoine_gwbench_%'`);
  await admin.end();
  for (const r of left.rows as { datname: string }[]) await dropDatabase(r.datname);
}
