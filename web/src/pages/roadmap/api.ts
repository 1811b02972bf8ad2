/** The roadmap's data layer: one query-key factory and typed hooks for every call the pages make. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { WireOf } from '@patrimoine/contracts/common';
import type {
  action,
  actionDetail,
  actionList,
  actionPatch,
  bulkUpdateResult,
  carryOverResult,
  dashboard,
  decision,
  groupStats,
  lastNote,
  opening,
  openingList,
  openingPatch,
  publicRoadmap,
  report,
  roadmap,
  roadmapSummary,
  update,
} from '@patrimoine/contracts/roadmap';
import { api, qs } from '../../api/client';

export type Roadmap = WireOf<typeof roadmap>;
export type RoadmapSummary = WireOf<typeof roadmapSummary>;
export type Action = WireOf<typeof action>;
export type ActionDetail = WireOf<typeof actionDetail>;
export type LastNote = WireOf<typeof lastNote>;
export type Update = WireOf<typeof update>;
export type Opening = WireOf<typeof opening>;
export type GroupStats = WireOf<typeof groupStats>;
export type Dashboard = WireOf<typeof dashboard>;
export type Report = WireOf<typeof report>;
export type Decision = WireOf<typeof decision>;
export type PublicRoadmap = WireOf<typeof publicRoadmap>;
export type BulkUpdateResult = WireOf<typeof bulkUpdateResult>;
/** What the action form sends. */
export type ActionPatchBody = z.input<typeof actionPatch>;
export type OpeningPatchBody = z.input<typeof openingPatch>;

/** Filters as the pages hold them (from the URL: empty string = no filter). */
export type Filters = Record<string, string | undefined>;

/** API paths (also the addresses of the CSV, Markdown and HTML downloads). */
export const apiBase = (slug: string) => `/api/roadmaps/${encodeURIComponent(slug)}`;
export const roadmapUrls = {
  actions: (slug: string, f: Filters = {}) => `${apiBase(slug)}/actions${qs(f)}`,
  openings: (slug: string, f: Filters = {}) => `${apiBase(slug)}/openings${qs(f)}`,
  dashboard: (slug: string, f: Filters = {}) => `${apiBase(slug)}/dashboard${qs(f)}`,
  report: (slug: string, quarter: string, format?: 'md' | 'html') => `${apiBase(slug)}/report${qs({ quarter, format })}`,
  updates: (slug: string, f: Filters = {}) => `${apiBase(slug)}/updates${qs(f)}`,
  publicRoadmap: (slug: string, f: Filters = {}) => `/api/public/roadmaps/${encodeURIComponent(slug)}${qs(f)}`,
};

/** Query keys: everything under `all` is the roadmap's internal views (invalidated after an update); the public page sits apart. */
export const roadmapKeys = {
  all: ['roadmap'] as const,
  list: () => [...roadmapKeys.all, 'list'] as const,
  roadmap: (slug: string) => [...roadmapKeys.all, slug] as const,
  actions: (slug: string, f: Filters) => [...roadmapKeys.roadmap(slug), 'actions', f] as const,
  action: (slug: string, code: string) => [...roadmapKeys.roadmap(slug), 'action', code] as const,
  openings: (slug: string, f: Filters) => [...roadmapKeys.roadmap(slug), 'openings', f] as const,
  dashboard: (slug: string, f: Filters) => [...roadmapKeys.roadmap(slug), 'dashboard', f] as const,
  reports: (slug: string) => [...roadmapKeys.roadmap(slug), 'report'] as const,
  report: (slug: string, quarter: string) => [...roadmapKeys.reports(slug), quarter] as const,
  assetSearch: (q: string) => [...roadmapKeys.all, 'asset-search', q] as const,
  public: ['roadmap-public'] as const,
  publicList: () => [...roadmapKeys.public, 'list'] as const,
  publicRoadmap: (slug: string) => [...roadmapKeys.public, slug] as const,
};

/** Refreshes every internal view of the roadmaps after a change. */
function useRefresh() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: roadmapKeys.all });
}

export function useRoadmaps() {
  return useQuery({ queryKey: roadmapKeys.list(), queryFn: () => api<{ items: RoadmapSummary[] }>('/api/roadmaps') });
}

/** A roadmap with its parts, sections and contributors (the filters' options). */
export function useRoadmapSummary(slug: string) {
  return useQuery({ queryKey: [...roadmapKeys.roadmap(slug), 'summary'], queryFn: () => api<RoadmapSummary>(apiBase(slug)), enabled: !!slug });
}

export function useRoadmapActions(slug: string, f: Filters) {
  return useQuery({ queryKey: roadmapKeys.actions(slug, f), queryFn: () => api<WireOf<typeof actionList>>(roadmapUrls.actions(slug, f)) });
}

export function useRoadmapAction(slug: string, code: string) {
  return useQuery({ queryKey: roadmapKeys.action(slug, code), queryFn: () => api<ActionDetail>(`${apiBase(slug)}/actions/${encodeURIComponent(code)}`) });
}

export function useRoadmapOpenings(slug: string, f: Filters) {
  return useQuery({ queryKey: roadmapKeys.openings(slug, f), queryFn: () => api<WireOf<typeof openingList>>(roadmapUrls.openings(slug, f)) });
}

export function useRoadmapDashboard(slug: string, f: Filters) {
  return useQuery({ queryKey: roadmapKeys.dashboard(slug, f), queryFn: () => api<Dashboard>(roadmapUrls.dashboard(slug, f)) });
}

export function useRoadmapReport(slug: string, quarter: string) {
  return useQuery({ queryKey: roadmapKeys.report(slug, quarter), enabled: !!quarter, queryFn: () => api<Report>(roadmapUrls.report(slug, quarter)) });
}

export function usePublicRoadmaps() {
  return useQuery({ queryKey: roadmapKeys.publicList(), queryFn: () => api<{ items: Roadmap[] }>('/api/public/roadmaps') });
}

export function usePublicRoadmap(slug: string | undefined) {
  return useQuery({
    queryKey: roadmapKeys.publicRoadmap(slug ?? ''),
    enabled: !!slug,
    queryFn: () => api<PublicRoadmap>(roadmapUrls.publicRoadmap(slug!)),
  });
}

/** What the roadmap's asset picker shows of a catalogue search hit. */
export interface AssetHit {
  id: string;
  kind: string;
  slug: string;
  title: string;
  openness: string;
}

/** Searches the catalogue (when the catalog module is installed) for the asset picker. */
export function useCatalogAssetSearch(q: string) {
  return useQuery({
    queryKey: roadmapKeys.assetSearch(q),
    enabled: q.length >= 2,
    queryFn: () => api<{ items: AssetHit[] }>(`/api/catalog/assets${qs({ q, pageSize: 8 })}`),
  });
}

export function useUpdateRoadmapAction(slug: string, code: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: ActionPatchBody) => api<Action>(`${apiBase(slug)}/actions/${encodeURIComponent(code)}`, { method: 'PATCH', body }),
    onSuccess: refresh,
  });
}

export function useCarryOverRoadmapAction(slug: string, code: string) {
  return useMutation({
    mutationFn: (body: { targetRoadmap: string; code: string; deadline: string }) =>
      api<WireOf<typeof carryOverResult>>(`${apiBase(slug)}/actions/${encodeURIComponent(code)}/carry-over`, { method: 'POST', body }),
  });
}

export function useUpdateRoadmapOpening(slug: string, openingId: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: OpeningPatchBody) => api<Opening>(`${apiBase(slug)}/openings/${openingId}`, { method: 'PATCH', body }),
    onSuccess: refresh,
  });
}

/** The CSV bulk update: `dryRun` checks without writing; a file with errors fails with an `ApiError` listing them by line. */
export function useBulkUpdateRoadmapActions(slug: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (v: { csv: string; dryRun: boolean }) => api<BulkUpdateResult>(`${apiBase(slug)}/actions/bulk`, { method: 'POST', body: v }),
    onSuccess: (r) => {
      if (r.applied) void refresh();
    },
  });
}

export function useCreateRoadmapDecision(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { quarter: string; text: string; actionCode: string | null }) => api<Decision>(`${apiBase(slug)}/decisions`, { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: roadmapKeys.reports(slug) }),
  });
}

export function useDeleteRoadmapDecision(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`${apiBase(slug)}/decisions/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: roadmapKeys.reports(slug) }),
  });
}
