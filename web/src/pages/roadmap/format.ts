import type { ActionStatus, OpeningStatus, Timeliness } from './types';

export const actionStatusLabel: Record<ActionStatus, string> = { a_lancer: 'À lancer', en_cours: 'En cours', realisee: 'Réalisée', abandonnee: 'Abandonnée' };
export const openingStatusLabel: Record<OpeningStatus, string> = {
  planifie: 'Planifiée',
  en_cours: 'En cours',
  disponible: 'Disponible',
  reporte: 'Reportée',
  abandonne: 'Abandonnée',
};
export const openingTypeLabel: Record<string, string> = { jeu_de_donnees: 'Jeu de données', api: 'API', code_source: 'Code source', algorithme: 'Algorithme' };
export const timelinessLabel: Record<Timeliness, string> = {
  a_temps: 'Dans les délais',
  en_retard: 'En retard',
  date_inconnue: 'Date inconnue',
  a_venir: 'À venir',
  sans_objet: 'Sans objet',
};
export const actionStatuses = Object.keys(actionStatusLabel) as ActionStatus[];
export const openingStatuses = Object.keys(openingStatusLabel) as OpeningStatus[];

/** DSFR badge severities per status (colour is never the only signal: the text says it too). */
export const actionStatusSeverity: Record<ActionStatus, 'info' | 'success' | 'new' | 'warning' | 'error'> = {
  a_lancer: 'new',
  en_cours: 'info',
  realisee: 'success',
  abandonnee: 'warning',
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

const FIELD_LABELS: Record<string, string> = {
  status: 'statut',
  progress: 'avancement',
  pilot: 'pilote',
  assetIds: 'actifs liés',
  deadline: 'échéance',
  deadlineEnd: 'seconde échéance',
  contributors: 'contributeurs',
  availableOn: 'disponible le',
  assetId: 'actif lié',
  organisationId: 'organisation',
  due: 'échéance',
};
export function describeChange(field: string, c: { from: unknown; to: unknown }): string {
  const v = (x: unknown) => {
    if (x === null || x === undefined || x === '') return '—';
    if (field === 'status') return actionStatusLabel[x as ActionStatus] ?? openingStatusLabel[x as OpeningStatus] ?? String(x);
    if (field === 'progress') return `${String(x)} %`;
    if (Array.isArray(x)) return x.join(', ') || '—';
    return String(x);
  };
  const label = field.startsWith('indicateur:') ? `indicateur « ${field.slice(11)} »` : (FIELD_LABELS[field] ?? field);
  return `${label} : ${v(c.from)} → ${v(c.to)}`;
}
