/**
 * Seasonal adjustment of monthly series (issue 18, ADR 0803): the classical decomposition, X-11's first
 * pass without its iterations and without calendar (working-day) adjustment.
 *
 * 1. Trend: the centred 2×12 moving average T(t) = (½·Y(t−6) + Y(t−5) + … + Y(t+5) + ½·Y(t+6)) / 12,
 *    defined where the 13 months around t are all present.
 * 2. Seasonal-irregular ratios: SI = Y / T (multiplicative) or Y − T (additive).
 * 3. Seasonal factor of each calendar month: the mean of its ratios, at least 2 per month; the twelve
 *    are then normalised (their mean is 1, or their sum 0), so that a year's level is unchanged.
 * 4. Adjusted series: Y / S (or Y − S), defined for every month, the first and last six included.
 *
 * Multiplicative when every value is strictly positive (counts of offences), additive otherwise.
 * At least three years of months are needed (36, with at least two ratios per calendar month).
 */

export type SeasonalModel = 'multiplicative' | 'additive';

export interface SeasonalAdjustment {
  model: SeasonalModel;
  /** Factor of each calendar month, index 0 = January (ratios around 1, or differences around 0). */
  factors: number[];
  /** The adjusted value of each input point, in input order (null where the input is null). */
  adjusted: (number | null)[];
  /** The 2×12 moving average (null at both ends and next to gaps). */
  trend: (number | null)[];
}

const MONTH = /^(\d{4})-(\d{2})/;

/** Month index (year × 12 + month − 1) of a label `YYYY-MM…`, or null. */
export function monthIndex(label: string): number | null {
  const m = MONTH.exec(label);
  if (!m) return null;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  return Number(m[1]) * 12 + month - 1;
}

/** Why a series cannot be adjusted (French), or null when it can. */
export function seasonalProblem(labels: string[]): string | null {
  const idx = labels.map(monthIndex);
  if (idx.some((i) => i === null)) return 'la série n’est pas mensuelle (mois attendus sous la forme AAAA-MM)';
  const n = new Set(idx).size;
  if (n !== labels.length) return 'plusieurs valeurs pour un même mois';
  if (n < 36) return `trois années de mois au moins sont nécessaires (${n} mois ici)`;
  return null;
}

/**
 * Adjusts one monthly series. `labels` are `YYYY-MM` months (any order, gaps allowed); `values` the
 * series (null = missing). Throws with a French message when the series is too short or not monthly.
 */
export function seasonallyAdjust(labels: string[], values: (number | null)[], model?: SeasonalModel): SeasonalAdjustment {
  const problem = seasonalProblem(labels);
  if (problem) throw new Error(`Série corrigée des variations saisonnières impossible : ${problem}.`);
  const idx = labels.map((l) => monthIndex(l)!);
  const at = new Map<number, number>();
  idx.forEach((m, i) => {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) at.set(m, v);
  });
  const known = [...at.values()];
  const mode: SeasonalModel = model ?? (known.length && known.every((v) => v > 0) ? 'multiplicative' : 'additive');
  if (mode === 'multiplicative' && known.some((v) => v <= 0)) throw new Error('Modèle multiplicatif impossible : valeurs nulles ou négatives.');

  const trendAt = (m: number): number | null => {
    let s = 0;
    for (let k = -6; k <= 6; k++) {
      const v = at.get(m + k);
      if (v === undefined) return null;
      s += Math.abs(k) === 6 ? v / 2 : v;
    }
    return s / 12;
  };
  const trend = idx.map(trendAt);

  const ratios: number[][] = Array.from({ length: 12 }, () => []);
  idx.forEach((m, i) => {
    const t = trend[i];
    const v = at.get(m);
    if (t === null || t === undefined || v === undefined) return;
    if (mode === 'multiplicative') {
      if (t > 0) ratios[m % 12]!.push(v / t);
    } else ratios[m % 12]!.push(v - t);
  });
  if (ratios.some((r) => r.length < 2))
    throw new Error('Série corrigée des variations saisonnières impossible : deux estimations au moins par mois de l’année sont nécessaires.');
  const raw = ratios.map((r) => r.reduce((a, b) => a + b, 0) / r.length);
  const mean = raw.reduce((a, b) => a + b, 0) / 12;
  const factors = raw.map((f) => (mode === 'multiplicative' ? f / mean : f - mean));

  const adjusted = idx.map((m) => {
    const v = at.get(m);
    if (v === undefined) return null;
    const f = factors[m % 12]!;
    return mode === 'multiplicative' ? v / f : v - f;
  });
  return { model: mode, factors, adjusted, trend };
}
