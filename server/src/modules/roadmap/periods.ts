/**
 * Deadline periods of the roadmap: semesters (`2022-S2`) and quarters (`2022-T1`). A period ends at
 * midnight, Paris time, at the start of the next one: an action due « 2022 S2 » is late from
 * 1 January 2023 00:00 in Paris.
 */
export const PERIOD_RE = /^(\d{4})-(S[12]|T[1-4])$/;
export const QUARTER_RE = /^(\d{4})-T([1-4])$/;

export interface Period {
  year: number;
  kind: 'S' | 'T';
  n: number;
}

export function parsePeriod(s: string): Period | null {
  const m = PERIOD_RE.exec(s);
  if (!m) return null;
  return { year: Number(m[1]), kind: m[2]![0] as 'S' | 'T', n: Number(m[2]![1]) };
}

/** Normalises the source's spellings (« 2022 S2 », « T1 2022 », « 2022-T1 ») to `2022-S2` / `2022-T1`. */
export function normalisePeriod(s: string): string | null {
  const t = s.trim().toUpperCase();
  let m = /^(\d{4})[\s-]*([ST][1-4])$/.exec(t);
  if (m) return PERIOD_RE.test(`${m[1]}-${m[2]}`) ? `${m[1]}-${m[2]}` : null;
  m = /^([ST][1-4])[\s-]*(\d{4})$/.exec(t);
  if (m) return PERIOD_RE.test(`${m[2]}-${m[1]}`) ? `${m[2]}-${m[1]}` : null;
  return null;
}

/** First month (1-12) of the period. */
function startMonth(p: Period): number {
  return p.kind === 'S' ? (p.n - 1) * 6 + 1 : (p.n - 1) * 3 + 1;
}

// Formatters are costly to build: one of each, shared.
const PARTS_FMT = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
const DAY_FMT = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' });

/** Offset of Europe/Paris from UTC, in minutes, at the given instant. */
function parisOffsetMinutes(at: Date): number {
  const parts = PARTS_FMT.formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((asUtc - Math.floor(at.getTime() / 60000) * 60000) / 60000);
}

/** The instant of midnight, Paris time, on `day` (default the 1st) of `month` (1-12, may be 13) of `year`. */
export function parisMidnight(year: number, month: number, day = 1): Date {
  const guess = new Date(Date.UTC(year, month - 1, day));
  const offset = parisOffsetMinutes(new Date(guess.getTime() - 2 * 3600_000));
  return new Date(guess.getTime() - offset * 60_000);
}

/** Instant at which the period starts (Paris midnight). */
export function periodStart(s: string): Date {
  return new Date(memo(starts, s, () => computeStart(s)));
}
function computeStart(s: string): number {
  const p = parsePeriod(s);
  if (!p) throw new Error(`invalid period ${s}`);
  return parisMidnight(p.year, startMonth(p)).getTime();
}

/** Instant at which the period is over (exclusive end: Paris midnight starting the next period). */
export function periodEnd(s: string): Date {
  return new Date(memo(ends, s, () => computeEnd(s)));
}
function computeEnd(s: string): number {
  const p = parsePeriod(s);
  if (!p) throw new Error(`invalid period ${s}`);
  return parisMidnight(p.year, startMonth(p) + (p.kind === 'S' ? 6 : 3)).getTime();
}

// Period boundaries never change: computed once per period string (a roadmap has a few dozen).
const starts = new Map<string, number>();
const ends = new Map<string, number>();
const lastDays = new Map<string, string>();
function memo<T>(m: Map<string, T>, k: string, f: () => T): T {
  let v = m.get(k);
  if (v === undefined) {
    v = f();
    if (m.size < 10_000) m.set(k, v);
  }
  return v;
}

/** Calendar date (YYYY-MM-DD) of the last day of the period, for display. */
export function periodLastDay(s: string): string {
  return memo(lastDays, s, () => DAY_FMT.format(new Date(periodEnd(s).getTime() - 12 * 3600_000)));
}

/** Quarter (`YYYY-Tn`) containing the instant, in Paris time. */
export function quarterOf(at: Date): string {
  const ymd = DAY_FMT.format(at);
  const [y, m] = ymd.split('-').map(Number) as [number, number];
  return `${y}-T${Math.floor((m - 1) / 3) + 1}`;
}

/** The quarter before `q`. */
export function previousQuarter(q: string): string {
  const m = QUARTER_RE.exec(q);
  if (!m) throw new Error(`invalid quarter ${q}`);
  const y = Number(m[1]);
  const n = Number(m[2]);
  return n === 1 ? `${y - 1}-T4` : `${y}-T${n - 1}`;
}

/** French label: « 2e semestre 2022 », « 1er trimestre 2022 ». */
export function periodLabel(s: string): string {
  const p = parsePeriod(s);
  if (!p) return s;
  const ord = p.n === 1 ? '1er' : `${p.n}e`;
  return `${ord} ${p.kind === 'S' ? 'semestre' : 'trimestre'} ${p.year}`;
}

/** Semester (`YYYY-Sn`) containing a period (a quarter maps to its semester). */
export function semesterOf(s: string): string {
  const p = parsePeriod(s);
  if (!p) return s;
  if (p.kind === 'S') return s;
  return `${p.year}-S${p.n <= 2 ? 1 : 2}`;
}

/** Final deadline of an action: the later of its two deadlines when it has two (A10). */
export function finalDeadline(a: { deadline: string; deadlineEnd: string | null }): string {
  return a.deadlineEnd ?? a.deadline;
}

/** « En retard »: not done nor abandoned, and the final deadline's period is over at `now`. */
export function isOverdue(a: { status: string; deadline: string; deadlineEnd: string | null }, now: Date): boolean {
  if (a.status === 'realisee' || a.status === 'abandonnee') return false;
  return now.getTime() >= periodEnd(finalDeadline(a)).getTime();
}

/** An opening is late when not available and its quarter is over, or when it became available after it. */
export function openingTimeliness(
  o: { status: string; due: string; availableOn: string | null },
  now: Date,
): 'a_temps' | 'en_retard' | 'date_inconnue' | 'a_venir' | 'sans_objet' {
  const end = periodEnd(o.due);
  if (o.status === 'abandonne') return 'sans_objet';
  if (o.status === 'disponible') {
    if (!o.availableOn) return 'date_inconnue';
    return o.availableOn <= periodLastDay(o.due) ? 'a_temps' : 'en_retard';
  }
  return now.getTime() >= end.getTime() ? 'en_retard' : 'a_venir';
}

/** Calendar date in Paris (YYYY-MM-DD) of an instant. */
export function parisDate(at: Date): string {
  return DAY_FMT.format(at);
}
