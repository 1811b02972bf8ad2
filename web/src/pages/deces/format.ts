/** How the deaths pages show dates, places and scores. */
import type { Location } from './api';

/** AAAAMMJJ → JJ/MM/AAAA, unknown parts shown as « ?? ». */
export function fmtDate(d: string): string {
  if (!d || !/^\d{8}$/.test(d)) return d || '—';
  const y = d.slice(0, 4);
  const m = d.slice(4, 6);
  const j = d.slice(6, 8);
  return `${j === '00' ? '??' : j}/${m === '00' ? '??' : m}/${y === '0000' ? '????' : y}`;
}

export function fmtPlace(l: Location): string {
  if (!l.code) return '—';
  if (l.code.startsWith('99')) return [l.city, l.country].filter(Boolean).join(', ');
  return `${l.city || l.code}${l.departmentCode ? ` (${l.departmentCode})` : ''}`;
}

export const pct = (x: number) => `${Math.round(x * 100)} %`;
