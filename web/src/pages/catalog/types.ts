/** Shapes of the catalogue API (server/src/modules/catalog/catalog.routes.ts). */
export interface Asset {
  id: string;
  kind: string;
  slug: string;
  ref: string;
  title: string;
  description: string;
  owner: string | null;
  ownerName: string | null;
  organisationId: string | null;
  contacts: { role: string; name: string; email?: string }[];
  tags: string[];
  lifecycle: string;
  decommissionPlannedOn: string | null;
  decommissionedOn: string | null;
  openness: string;
  opennessReason: string | null;
  personalData: boolean;
  spec: Record<string, unknown>;
  completeness: number;
  isDemo: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export interface AssetRelation {
  id: string;
  type: string;
  direction: 'outgoing' | 'incoming';
  label: string;
  from: string;
  to: string;
  other: { id: string; kind: string; slug: string; title: string } | null;
  note: string | null;
  since: string | null;
  createdBy: string;
  createdAt: string;
}

export interface AssetDetail {
  asset: Asset;
  completeness: { score: number; checks: { id: string; label: string; ok: boolean }[] };
  relations: AssetRelation[];
  canEdit: boolean;
}

export type Facets = Record<'kind' | 'owner' | 'lifecycle' | 'openness' | 'personalData' | 'tags', Record<string, number>>;

export interface SearchResult {
  items: Asset[];
  total: number;
  facets: Facets;
  /** Total and facets extrapolated from a sample of the catalogue (very large match sets). */
  estimated: boolean;
}

export interface Meta {
  kinds: Record<string, string>;
  lifecycles: string[];
  openness: string[];
  contactRoles: string[];
  relations: Record<string, { from: string[]; to: string[]; label: string; inverse: string }>;
}

export interface Graph {
  root: string;
  truncated: boolean;
  nodes: { id: string; ref: string; kind: string; slug: string; title: string; owner: string | null; depth: number }[];
  edges: { id: string; type: string; from: string; to: string; note: string | null }[];
}

export interface ImpactItem {
  ref: string;
  kind: string;
  slug: string;
  title: string;
  owner: string | null;
  lifecycle: string;
  depth: number;
  relation: string;
  through: string;
}
