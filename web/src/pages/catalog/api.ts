/** The catalogue's data layer: one query-key factory and typed hooks for every call the pages make. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import type {
  asset,
  assetDetail,
  assetInput,
  catalogImportReport,
  catalogMeta,
  dashboard,
  graph,
  historyItem,
  impactItem,
  importReport,
  relationCreated,
  relationInput,
  searchResult,
  synonymGroup,
  synonymInput,
} from '@patrimoine/contracts/catalog';
import type { z } from 'zod';
import { api, qs } from '../../api/client';

export type Asset = WireOf<typeof asset>;
export type AssetDetail = WireOf<typeof assetDetail>;
export type SearchResult = WireOf<typeof searchResult>;
export type CatalogMeta = WireOf<typeof catalogMeta>;
export type Graph = WireOf<typeof graph>;
export type ImpactItem = WireOf<typeof impactItem>;
export type HistoryItem = WireOf<typeof historyItem>;
export type Dashboard = WireOf<typeof dashboard>;
export type ImportReport = WireOf<typeof importReport>;
export type CatalogImportReport = WireOf<typeof catalogImportReport>;
export type SynonymGroup = WireOf<typeof synonymGroup>;
export type SynonymBody = z.input<typeof synonymInput>;
/** What the create and edit form sends (the server applies the defaults). */
export type AssetBody = z.input<typeof assetInput>;

const base = (kind: string, slug: string) => `/api/catalog/assets/${encodeURIComponent(kind)}/${encodeURIComponent(slug)}`;

/** Query keys: everything under `all` is the catalogue's; an asset's own queries sit under `asset(kind, slug)`. */
export const catalogKeys = {
  all: ['catalog'] as const,
  meta: () => [...catalogKeys.all, 'meta'] as const,
  searches: () => [...catalogKeys.all, 'search'] as const,
  search: (query: string) => [...catalogKeys.searches(), query] as const,
  assets: () => [...catalogKeys.all, 'asset'] as const,
  asset: (kind: string, slug: string) => [...catalogKeys.assets(), kind, slug] as const,
  graph: (kind: string, slug: string, depth: number, types: string) => [...catalogKeys.asset(kind, slug), 'graph', depth, types] as const,
  impact: (kind: string, slug: string) => [...catalogKeys.asset(kind, slug), 'impact'] as const,
  history: (kind: string, slug: string) => [...catalogKeys.asset(kind, slug), 'history'] as const,
  dashboard: (owner: string) => [...catalogKeys.all, 'dashboard', owner] as const,
  synonyms: () => [...catalogKeys.all, 'synonyms'] as const,
};

/** Kinds, vocabularies and relation rules (reference data). */
export function useCatalogMeta() {
  return useQuery({ queryKey: catalogKeys.meta(), queryFn: () => api<CatalogMeta>('/api/catalog/meta'), staleTime: Infinity });
}

/** A page of search results with facets; `params` are the URL's filters. The previous page stays shown while the next loads. */
export function useCatalogSearch(params: Record<string, string | number | undefined>, opts: { enabled?: boolean } = {}) {
  const query = qs(params);
  return useQuery({
    queryKey: catalogKeys.search(query),
    queryFn: ({ signal }) => api<SearchResult>(`/api/catalog/assets${query}`, { signal }),
    placeholderData: keepPreviousData,
    enabled: opts.enabled ?? true,
  });
}

/** The address of the CSV export of a search. */
export const searchCsvUrl = (params: Record<string, string | number | undefined>) => `/api/catalog/assets${qs({ ...params, format: 'csv' })}`;

export function useAsset(kind: string, slug: string) {
  return useQuery({ queryKey: catalogKeys.asset(kind, slug), queryFn: () => api<AssetDetail>(base(kind, slug)) });
}

export function useAssetGraph(kind: string, slug: string, depth: number, types: string[]) {
  const t = types.join(',');
  return useQuery({
    queryKey: catalogKeys.graph(kind, slug, depth, t),
    queryFn: () => api<Graph>(`${base(kind, slug)}/graph${qs({ depth, types: t })}`),
  });
}

export function useAssetImpact(kind: string, slug: string) {
  return useQuery({
    queryKey: catalogKeys.impact(kind, slug),
    queryFn: () => api<{ items: ImpactItem[] }>(`${base(kind, slug)}/impact`),
    select: (d) => d.items,
  });
}
export const impactCsvUrl = (kind: string, slug: string) => `${base(kind, slug)}/impact?format=csv`;

export function useAssetHistory(kind: string, slug: string) {
  return useQuery({
    queryKey: catalogKeys.history(kind, slug),
    queryFn: () => api<{ items: HistoryItem[] }>(`${base(kind, slug)}/history`),
    select: (d) => d.items,
  });
}

export function useCatalogDashboard(owner: string) {
  return useQuery({ queryKey: catalogKeys.dashboard(owner), queryFn: () => api<Dashboard>(`/api/catalog/dashboard${qs({ owner })}`) });
}

/** Invalidates every catalogue query (an asset change shows in searches, pages, graphs and dashboards). */
function useInvalidateCatalog() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: catalogKeys.all });
}

/** Creates an asset, or replaces an existing one's content (`existing`: refused if someone saved another version meanwhile). */
export function useSaveAsset(existing?: { kind: string; slug: string; version: number }) {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: (body: AssetBody) =>
      existing
        ? api<Asset>(`${base(existing.kind, existing.slug)}${qs({ version: existing.version })}`, { method: 'PUT', body })
        : api<Asset>('/api/catalog/assets', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useDeleteAsset() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (a: { kind: string; slug: string }) => api<void>(base(a.kind, a.slug), { method: 'DELETE' }),
    // The asset's own queries are dropped (it no longer exists); the lists are refreshed.
    onSuccess: (_r, a) => {
      qc.removeQueries({ queryKey: catalogKeys.asset(a.kind, a.slug) });
      void qc.invalidateQueries({ queryKey: catalogKeys.all });
    },
  });
}

export function useCreateRelation() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: (body: z.input<typeof relationInput>) => api<WireOf<typeof relationCreated>>('/api/catalog/relations', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useDeleteRelation() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/catalog/relations/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

/** Replaces a data model's tables from a CSV data dictionary or a SQL DDL file. */
export function useImportDictionary(slug: string) {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: (content: string) =>
      api<ImportReport>(`/api/catalog/assets/data_model/${encodeURIComponent(slug)}/dictionary`, { method: 'PUT', body: { content } }),
    onSuccess: invalidate,
  });
}

/** Imports a catalogue file (YAML or JSON); `dryRun` only reports the changes. */
export function useImportCatalog() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: (b: { content: string; dryRun: boolean }) => api<CatalogImportReport>('/api/catalog/import', { method: 'POST', body: b }),
    onSuccess: (r) => (r.dryRun ? undefined : invalidate()),
  });
}

/** Imports the datasets of a data.gouv.fr organisation export. */
export function useImportDatagouv() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: (b: { content: string; owner: string; dryRun: boolean }) => api<ImportReport>('/api/catalog/import/datagouv', { method: 'POST', body: b }),
    onSuccess: (r) => (r.dryRun ? undefined : invalidate()),
  });
}

/** The synonym groups of the search (the data team's list). */
export function useSynonyms() {
  return useQuery({ queryKey: catalogKeys.synonyms(), queryFn: () => api<{ items: SynonymGroup[] }>('/api/catalog/synonyms') });
}

/** Adds a synonym group, or replaces one (`id`); searches are refreshed, since they use the list. */
export function useSaveSynonym(id?: string) {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: (body: SynonymBody) =>
      id
        ? api<SynonymGroup>(`/api/catalog/synonyms/${encodeURIComponent(id)}`, { method: 'PUT', body })
        : api<SynonymGroup>('/api/catalog/synonyms', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useDeleteSynonym() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/catalog/synonyms/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}
