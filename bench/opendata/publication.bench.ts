/**
 * Open data publication benchmark (issue 16, second half):
 * - download counting on the request path (`DownloadCounter.hit`, in-memory deduplication): p50/p95/p99
 *   of one call, target p95 < 1 ms;
 * - column profile and preview during the analysis: cost of `ColumnProfiler` per million cells.
 * Size: PUBLICATION_BENCH_ROWS (default 500,000 rows of 10 columns).
 */
import { performance } from 'node:perf_hooks';
import { DownloadCounter } from '../../server/src/modules/opendata/publication/downloads.ts';
import { ColumnProfiler } from '../../server/src/modules/opendata/publication/profile.ts';

const ROWS = Number(process.env.PUBLICATION_BENCH_ROWS ?? 500_000);

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function counting() {
  // No database: the bench measures the request path only (flush is off the path, every 5 s).
  const counter = new DownloadCounter({ db: null as never, redis: null, prefix: '', now: () => new Date() });
  const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0';
  const resources = Array.from({ length: 50 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const samples: number[] = [];
  for (let i = 0; i < 200_000; i++) {
    const t = performance.now();
    counter.hit(resources[i % 50]!, { ip: `198.51.${(i >> 8) & 255}.${i & 255}`, userAgent: ua });
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const p95 = percentile(samples, 95);
  console.log(
    `Comptage d’un téléchargement (200 000 appels, 50 ressources) : p50 ${(percentile(samples, 50) * 1000).toFixed(1)} µs, p95 ${(p95 * 1000).toFixed(1)} µs, p99 ${(percentile(samples, 99) * 1000).toFixed(1)} µs (cible p95 < 1 ms) ${p95 < 1 ? 'OK' : 'NON ATTEINT'}`,
  );
}

function profiling() {
  const types = ['fixe', 'troncon', 'feu_rouge', 'discriminant'];
  const rowOf = (i: number) => [
    `CV-${i}`,
    String((i % 95) + 1).padStart(2, '0'),
    types[i % 4]!,
    String(30 + (i % 10) * 10),
    `2024-0${(i % 9) + 1}-1${i % 10}`,
    String(73282932000074 + (i % 1000)),
    `Commune ${i % 5000}`,
    (43 + (i % 1000) / 1000).toFixed(4),
    (2 + (i % 1000) / 1000).toFixed(4),
    i % 2 ? 'oui' : 'non',
  ];
  // The rows' generation alone, subtracted from the measure.
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < ROWS; i++) sink += rowOf(i).length;
  const generation = performance.now() - t0;
  const p = new ColumnProfiler();
  p.begin(['id', 'departement', 'type', 'vitesse', 'date', 'siret', 'commune', 'lat', 'lon', 'actif']);
  const t = performance.now();
  for (let i = 0; i < ROWS; i++) p.row(rowOf(i));
  p.profile();
  const s = Math.max(0, performance.now() - t - generation) / 1000;
  const cells = ROWS * 10;
  console.log(
    `Profil des colonnes et aperçu : ${ROWS.toLocaleString('fr-FR')} lignes × 10 colonnes en ${s.toFixed(2)} s (génération des lignes déduite, ${sink > 0 ? 'ok' : ''}), ${((s / cells) * 1e9).toFixed(0)} ns par cellule (${(cells / s / 1e6).toFixed(1)} M cellules/s)`,
  );
}

counting();
profiling();
