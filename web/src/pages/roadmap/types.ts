/** Shapes of the roadmap API (server/src/modules/roadmap/roadmap.schemas.ts). */
export type ActionStatus = 'a_lancer' | 'en_cours' | 'realisee' | 'abandonnee';
export type OpeningStatus = 'planifie' | 'en_cours' | 'disponible' | 'reporte' | 'abandonne';
export type Timeliness = 'a_temps' | 'en_retard' | 'date_inconnue' | 'a_venir' | 'sans_objet';

export interface Roadmap {
  id: string;
  slug: string;
  title: string;
  startYear: number;
  endYear: number;
  source: string | null;
  public: boolean;
}
export interface RoadmapItem extends Roadmap {
  parts: Record<string, string>;
  actions: number;
  openings: number;
  sections: { code: string; title: string }[];
  contributors: { code: string; name: string }[];
}
export interface LastNote {
  at: string;
  actorLabel: string;
  note: string;
}
export interface Action {
  id: string;
  code: string;
  parentCode: string | null;
  title: string;
  shortTitle: string | null;
  section: string;
  sectionTitle: string;
  deadline: string;
  deadlineEnd: string | null;
  deadlineLabel: string;
  dueDate: string;
  status: ActionStatus;
  overdue: boolean;
  progress: number;
  pilot: string | null;
  contributors: { code: string; name: string }[];
  collectiveContributors: string[];
  sourceContributors: string[];
  sourceNote: string | null;
  assetIds: string[];
  carriedFromId: string | null;
  updatedAt: string;
  lastNote: LastNote | null;
  canEdit: boolean;
}
export interface Update {
  id: number;
  at: string;
  actorLabel: string;
  kind: string;
  note: string | null;
  changes: Record<string, { from: unknown; to: unknown }>;
  statusAfter: string | null;
  progressAfter: number | null;
  actionCode: string | null;
  roadmapTitle: string | null;
}
export interface Indicator {
  id: string;
  name: string;
  unit: string | null;
  target: string | null;
  currentValue: string | null;
  history: { value: string; at: string; by: string }[];
}
export interface ActionDetail {
  roadmap: Roadmap;
  action: Action;
  indicators: Indicator[];
  assets: { id: string; kind: string | null; slug: string | null; title: string | null; openness: string | null; found: boolean }[];
  updates: Update[];
  carriedFrom: { roadmapSlug: string; roadmapTitle: string; code: string } | null;
  carriedTo: { roadmapSlug: string; roadmapTitle: string; code: string }[];
  subActions: { code: string; title: string; status: ActionStatus; overdue: boolean; deadlineLabel: string }[];
}
export interface Opening {
  id: string;
  position: number;
  category: string;
  title: string;
  type: 'jeu_de_donnees' | 'api' | 'code_source' | 'algorithme';
  due: string;
  dueLabel: string;
  status: OpeningStatus;
  availableOn: string | null;
  timeliness: Timeliness;
  assetId: string | null;
  asset?: { kind: string; slug: string; title: string; openness: string } | null;
  organisationCode: string | null;
  canEdit: boolean;
}
export interface GroupStats {
  key: string;
  label: string;
  total: number;
  a_lancer: number;
  en_cours: number;
  realisee: number;
  abandonnee: number;
  overdue: number;
  meanProgress: number;
}
export interface BurnupPoint {
  date: string;
  scope: number;
  started: number;
  done: number;
}
export interface Dashboard {
  asOf: string;
  totals: GroupStats;
  bySection: GroupStats[];
  bySubsection: GroupStats[];
  byContributor: GroupStats[];
  bySemester: GroupStats[];
  overdue: { code: string; title: string; deadlineLabel: string; status: ActionStatus; progress: number; contributors: string[]; lastNote: LastNote | null }[];
  upcoming: { code: string; title: string; deadlineLabel: string; status: ActionStatus; progress: number; contributors: string[] }[];
  openings: {
    total: number;
    byStatus: Record<OpeningStatus, number>;
    timeliness: Record<Timeliness, number>;
    byQuarter: ({ key: string; label: string; total: number } & Record<Timeliness, number>)[];
  };
  burnup: BurnupPoint[];
}
