/**
 * Open data validation benchmark (issue 16): throughput and memory of the streaming validator on a
 * generated CSV (10 fields with pattern, enum, date, SIRET checks), on a second generator (quoted
 * text with separators and newlines inside cells, comma-separated, windows-1252), and the cost of
 * the personal-data scan as a share of validation time.
 * Targets: ≥ 20 MB/s, RSS ≤ 300 MB, personal-data scan ≤ 20 % of validation time.
 * Size: OPENDATA_BENCH_MB (default 200).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { validateFile } from '../../server/src/modules/opendata/validation/validate.ts';
import { PersonalDataScanner } from '../../server/src/modules/opendata/personal-data/detector.ts';
import type { TableSchemaDescriptor } from '../../server/src/modules/opendata/validation/types.ts';

const MB = Number(process.env.OPENDATA_BENCH_MB ?? 200);
const dir = mkdtempSync(join(tmpdir(), 'opendata-bench-'));

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(42);
const int = (n: number) => Math.floor(r() * n);
function siret(): string {
  for (;;) {
    const s = String(int(1e7)).padStart(7, '0') + String(int(1e7)).padStart(7, '0');
    let sum = 0;
    for (let i = 0; i < 14; i++) {
      let d = s.charCodeAt(13 - i) - 48;
      if (i % 2) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) return s;
  }
}
const SIRETS = Array.from({ length: 5000 }, siret);
const TYPES = ['fixe', 'troncon', 'feu_rouge', 'discriminant', 'mobile'];
const COMMUNES = ['Lyon', 'Marseille', 'Saint-Étienne', 'Brest', 'Aurillac', 'Quimper', 'Bastia', 'Pau', 'Tours', 'Nancy'];
const pad = (n: number, w: number) => String(n).padStart(w, '0');

const schemaA: TableSchemaDescriptor = {
  fields: [
    { name: 'id', type: 'string', constraints: { required: true, pattern: '^CV-[0-9]{8}$' } },
    { name: 'departement', type: 'string', constraints: { required: true, pattern: '^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$' } },
    { name: 'type', type: 'string', constraints: { required: true, enum: TYPES } },
    { name: 'date_mise_en_service', type: 'date' },
    { name: 'siret', type: 'string', constraints: { pattern: '^[0-9]{14}$' } },
    { name: 'vitesse', type: 'integer', constraints: { minimum: 20, maximum: 130 } },
    { name: 'montant', type: 'number' },
    { name: 'commune', type: 'string', constraints: { maxLength: 80 } },
    { name: 'actif', type: 'boolean' },
    { name: 'libelle', type: 'string' },
  ],
  custom_checks: [{ name: 'french-siret-value', params: { column: 'siret' } }],
};

async function write(path: string, bytes: number, header: string, line: (i: number) => string, encoding: BufferEncoding = 'utf8') {
  const out = createWriteStream(path);
  out.write(Buffer.from(header, encoding));
  let n = header.length;
  let i = 0;
  let buf = '';
  while (n < bytes) {
    const l = line(i++);
    buf += l;
    n += l.length;
    if (buf.length > 1 << 20) {
      if (!out.write(Buffer.from(buf, encoding))) await once(out, 'drain');
      buf = '';
    }
  }
  out.write(Buffer.from(buf, encoding));
  out.end();
  await once(out, 'finish');
  return i;
}

async function measure(label: string, path: string, schema: TableSchemaDescriptor, withScan: boolean) {
  if (global.gc) global.gc();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const scanner = withScan ? new PersonalDataScanner() : undefined;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const rep = await validateFile(path, { schema, observer: scanner });
  const s = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const mb = statSync(path).size / 1048576;
  console.log(
    `${label.padEnd(44)} ${mb.toFixed(0)} Mo, ${rep.stats.rows} lignes, ${rep.stats.errors} erreurs, ${s.toFixed(2)} s → ${(mb / s).toFixed(1)} Mo/s (temps CPU ${cpu.toFixed(2)} s → ${(mb / cpu).toFixed(1)} Mo/s par cœur), RSS max ${(peak / 1048576).toFixed(0)} Mo` +
      (scanner
        ? `, données personnelles : ${
            scanner
              .verdicts()
              .map((v) => `${v.fieldName}=${v.kinds.join('+')}`)
              .join(', ') || 'aucune'
          }`
        : ''),
  );
  return { s, cpu, mbps: mb / s, cpuMbps: mb / cpu, rss: peak / 1048576 };
}

async function main() {
  const a = join(dir, 'a.csv');
  const bytes = MB * 1048576;
  console.log(`Génération de ${MB} Mo (générateur A : 10 champs, motif, énumération, date, SIRET)…`);
  await write(a, bytes, schemaA.fields.map((f) => f.name).join(';') + '\r\n', (i) => {
    const bad = i % 10007 === 0;
    return (
      `CV-${pad(i, 8)};${pad(1 + int(95), 2)};${TYPES[int(4)]};20${pad(int(25), 2)}-${pad(1 + int(12), 2)}-${pad(1 + int(28), 2)};` +
      `${bad ? '12345678901234' : SIRETS[int(SIRETS.length)]};${20 + int(111)};${(r() * 10000).toFixed(2)};${COMMUNES[int(10)]};${r() < 0.5 ? 'true' : 'false'};Site ${i}\r\n`
    );
  });
  const b = join(dir, 'b.csv');
  console.log(`Génération de ${MB} Mo (générateur B : texte entre guillemets avec séparateurs et retours à la ligne, virgule, windows-1252)…`);
  const schemaB: TableSchemaDescriptor = {
    fields: [
      { name: 'code', type: 'integer', constraints: { required: true } },
      { name: 'titre', type: 'string', constraints: { maxLength: 200 } },
      { name: 'texte', type: 'string' },
      { name: 'date', type: 'date', format: '%d/%m/%Y' },
      { name: 'taux', type: 'number', decimalChar: ',' },
    ],
  };
  await write(
    b,
    bytes,
    'code,titre,texte,date,taux\r\n',
    (i) =>
      `${i},"Arrêté n° ${i}, préfecture","Considérant que l'élu ""${COMMUNES[int(10)]}"" a délibéré ;\r\nvu l'avis, décide : article ${int(40)}, alinéa ${int(9)}.",${pad(1 + int(28), 2)}/${pad(1 + int(12), 2)}/20${pad(int(25), 2)},"${int(100)},${int(100)}"\r\n`,
    'latin1',
  );

  const base = await measure('A — validation seule', a, schemaA, false);
  const scan = await measure('A — validation + données personnelles', a, schemaA, true);
  const bb = await measure('B — validation + données personnelles', b, schemaB, true);
  // CPU time, not wall time: the wall clock depends on the other processes of the machine.
  const share = Math.max(0, (scan.cpu - base.cpu) / base.cpu) * 100;
  console.log(
    `Charge de la machine (load average 1 min) : ${(await import('node:os')).loadavg()[0]!.toFixed(1)} pour ${(await import('node:os')).cpus().length} cœurs`,
  );
  console.log('');
  console.log(
    `Débit A : ${scan.mbps.toFixed(1)} Mo/s mur, ${scan.cpuMbps.toFixed(1)} Mo/s CPU (cible ≥ 20) ${scan.mbps >= 20 ? 'OK' : scan.cpuMbps >= 20 ? 'OK en temps CPU seulement' : 'NON ATTEINT'}`,
  );
  console.log(
    `Débit B : ${bb.mbps.toFixed(1)} Mo/s mur, ${bb.cpuMbps.toFixed(1)} Mo/s CPU (cible ≥ 20) ${bb.mbps >= 20 ? 'OK' : bb.cpuMbps >= 20 ? 'OK en temps CPU seulement' : 'NON ATTEINT'}`,
  );
  const rss = Math.max(base.rss, scan.rss, bb.rss);
  console.log(`RSS max : ${rss.toFixed(0)} Mo (cible ≤ 300) ${rss <= 300 ? 'OK' : 'NON ATTEINT'}`);
  console.log(`Coût du contrôle des données personnelles : ${share.toFixed(1)} % du temps de validation (cible ≤ 20 %) ${share <= 20 ? 'OK' : 'NON ATTEINT'}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
