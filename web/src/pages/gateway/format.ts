/** How the portal writes figures, dates and limits (French). */
import type { Plan } from './api';

export const fmtPct = (v: number | null) => (v === null ? 'pas encore mesurée' : `${(v * 100).toFixed(2).replace('.', ',')} %`);
export const fmtDate = (d: string | null) => (d ? new Date(d).toLocaleString('fr-FR') : '—');
/** « actif » → « Actif », for labels standing alone in a table cell or an option. */
export const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** « 20 appels / seconde », « 1 000 appels / jour »… */
export function limitsText(p: Plan): string {
  const n = (v: number) => v.toLocaleString('fr-FR');
  const parts: string[] = [];
  if (p.perSecond) parts.push(`${n(p.perSecond)} appels / seconde`);
  if (p.perMinute) parts.push(`${n(p.perMinute)} appels / minute`);
  if (p.perDay) parts.push(`${n(p.perDay)} appels / jour`);
  if (p.perMonth) parts.push(`${n(p.perMonth)} appels / mois`);
  return parts.length ? parts.join(', ') : 'sans limite';
}

/** « 12 / 1 000 aujourd’hui, 340 / 20 000 ce mois » for plans with quotas. */
export function quotaText(p: Plan | null, use: { day: number; month: number } | null): string {
  if (!p || !use) return '—';
  const n = (v: number) => v.toLocaleString('fr-FR');
  const parts: string[] = [];
  if (p.perDay) parts.push(`${n(use.day)} / ${n(p.perDay)} aujourd’hui`);
  if (p.perMonth) parts.push(`${n(use.month)} / ${n(p.perMonth)} ce mois`);
  return parts.length ? parts.join(', ') : 'pas de quota';
}
