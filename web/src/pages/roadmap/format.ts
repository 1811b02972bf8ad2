/** How the roadmap pages show things: badge severities, chart colours, dates. Labels come from the contract. */
import type { ActionStatus, Timeliness } from '@patrimoine/contracts/roadmap';

/** DSFR badge severities per status (colour is never the only signal: the text says it too). */
export const actionStatusSeverity: Record<ActionStatus, 'info' | 'success' | 'new' | 'warning' | 'error'> = {
  a_lancer: 'new',
  en_cours: 'info',
  realisee: 'success',
  abandonnee: 'warning',
};
export const timelinessSeverity: Record<Timeliness, 'success' | 'error' | 'info' | 'new' | 'warning'> = {
  a_temps: 'success',
  en_retard: 'error',
  date_inconnue: 'new',
  a_venir: 'info',
  sans_objet: 'new',
};

/** Chart colours (DSFR palette), with enough contrast between neighbours. */
export const statusColour: Record<ActionStatus, string> = { a_lancer: '#929292', en_cours: '#6a6af4', realisee: '#18753c', abandonnee: '#b34000' };
export const timelinessColour: Record<Timeliness, string> = {
  a_temps: '#18753c',
  en_retard: '#ce0500',
  date_inconnue: '#929292',
  a_venir: '#6a6af4',
  sans_objet: '#cecece',
};

export const frDate = (iso: string) => new Date(iso).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' });
export const frDateTime = (iso: string) => new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });
export const frDay = (ymd: string) => ymd.split('-').reverse().join('/');
