/** How the roadmap pages show things: badge severities, chart colours, dates. Labels come from the contract. */
import type { ActionStatus, Timeliness } from '@patrimoine/contracts/roadmap';
import { theme } from '../../components/theme';

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

/** Chart colours (DSFR theme variables: they follow the light and dark themes), with enough contrast between neighbours. */
export const statusColour: Record<ActionStatus, string> = {
  a_lancer: theme.neutral,
  en_cours: theme.purple,
  realisee: theme.success,
  abandonnee: theme.warning,
};
export const timelinessColour: Record<Timeliness, string> = {
  a_temps: theme.success,
  en_retard: theme.error,
  date_inconnue: theme.neutral,
  a_venir: theme.purple,
  sans_objet: theme.faint,
};

export const frDate = (iso: string) => new Date(iso).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' });
export const frDateTime = (iso: string) => new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });
export const frDay = (ymd: string) => ymd.split('-').reverse().join('/');
