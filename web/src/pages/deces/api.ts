/** The deaths pages' data layer: one query-key factory and typed hooks for every call the pages make. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import type {
  aggResponse,
  bulkCancelled,
  bulkDecisionInfo,
  bulkReviewPage,
  bulkStarted,
  BulkDecisionBody,
  bulkReviewFilters,
  bulkSummary,
  correction,
  correctionList,
  idResponse,
  importStarted,
  importStatus,
  location,
  person,
  ReviewBody,
  searchResponse,
  versionResponse,
} from '@patrimoine/contracts/deces';
import { api, qs } from '../../api/client';

export type Person = WireOf<typeof person>;
export type Location = WireOf<typeof location>;
export type SearchResponse = WireOf<typeof searchResponse>;
export type IdResponse = WireOf<typeof idResponse>;
export type AggResponse = WireOf<typeof aggResponse>;
export type VersionResponse = WireOf<typeof versionResponse>;
export type Correction = WireOf<typeof correction>;
export type CorrectionList = WireOf<typeof correctionList>;
export type BulkSummary = WireOf<typeof bulkSummary>;
export type BulkReviewPage = WireOf<typeof bulkReviewPage>;
export type BulkReviewRow = BulkReviewPage['items'][number];
export type BulkReviewQuery = { filter: (typeof bulkReviewFilters)[number]; page: number; size: number };
export type ImportStatus = WireOf<typeof importStatus>;

export const API = '/deces/api/v1';

/** Query keys: everything under `all` is the deaths pages'. */
export const decesKeys = {
  all: ['deces'] as const,
  search: (query: string) => [...decesKeys.all, 'search', query] as const,
  person: (id: string) => [...decesKeys.all, 'id', id] as const,
  corrections: () => [...decesKeys.all, 'corrections'] as const,
  myCorrections: (recordId: string) => [...decesKeys.corrections(), 'mine', recordId] as const,
  review: (status: string) => [...decesKeys.corrections(), 'review', status] as const,
  version: () => [...decesKeys.all, 'version'] as const,
  agg: (query: string) => [...decesKeys.all, 'agg', query] as const,
  bulk: (id: string) => [...decesKeys.all, 'bulk', id] as const,
  bulkReview: (id: string) => [...decesKeys.bulk(id), 'review'] as const,
  bulkReviewPage: (id: string, q: BulkReviewQuery) => [...decesKeys.bulkReview(id), q] as const,
  import: (id: string) => [...decesKeys.all, 'import', id] as const,
};

/** A page of search results (`params`: q or fields, page, size…); the previous page stays shown while the next loads. */
export function useDeathSearch(params: Record<string, string | number | undefined>, opts: { enabled?: boolean } = {}) {
  const query = qs(params);
  return useQuery({
    queryKey: decesKeys.search(query),
    enabled: opts.enabled ?? true,
    queryFn: ({ signal }) => api<SearchResponse>(`${API}/search${query}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** The address of the CSV export of a search (every result). */
export const searchCsvUrl = (params: Record<string, string | undefined>) => `${API}/search${qs({ ...params, format: 'csv' })}`;

/** One record with its validated corrections. */
export function useDeath(id: string) {
  return useQuery({
    queryKey: decesKeys.person(id),
    queryFn: () => api<IdResponse>(`${API}/id/${encodeURIComponent(id)}`),
    select: (d) => d.response.persons[0],
  });
}

/** The signed-in user's own proposals for one record. */
export function useMyCorrections(recordId: string, opts: { enabled: boolean }) {
  return useQuery({
    queryKey: decesKeys.myCorrections(recordId),
    enabled: opts.enabled,
    queryFn: () => api<CorrectionList>(`${API}/corrections${qs({ recordId, mine: 'true' })}`),
  });
}

/** Proposes a correction (fields, message, proof link or PDF file as a multipart form). */
export function useProposeCorrection(recordId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (form: FormData) => api<Correction>(`${API}/id/${encodeURIComponent(recordId)}/corrections`, { method: 'POST', body: form }),
    onSuccess: () => qc.invalidateQueries({ queryKey: decesKeys.myCorrections(recordId) }),
  });
}

/** The reviewers' queue, by status. */
export function useCorrectionsToReview(status: string) {
  return useQuery({ queryKey: decesKeys.review(status), queryFn: () => api<CorrectionList>(`${API}/corrections${qs({ status })}`) });
}

export const correctionsCsvUrl = (status: string) => `${API}/corrections${qs({ status, format: 'csv' })}`;
export const proofUrl = (correctionId: string) => `${API}/corrections/${correctionId}/proof`;

/** Validates or rejects a correction (a rejection needs a comment). */
export function useReviewCorrection() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: ReviewBody & { id: string }) => api<Correction>(`${API}/corrections/${id}/review`, { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: decesKeys.corrections() }),
  });
}

/** Number of records and the files imported. */
export function useDecesVersion() {
  return useQuery({ queryKey: decesKeys.version(), queryFn: () => api<VersionResponse>(`${API}/version`) });
}

/** Counts by field (`aggs=deathMonth,…` and filters). */
export function useDecesAgg(params: Record<string, string | undefined>) {
  const query = qs(params);
  return useQuery({ queryKey: decesKeys.agg(query), queryFn: () => api<AggResponse>(`${API}/agg${query}`) });
}

/** Starts a bulk matching job (multipart form: file, column mapping, options). */
export function useStartBulk() {
  return useMutation({ mutationFn: (form: FormData) => api<WireOf<typeof bulkStarted>>(`${API}/search/csv`, { method: 'POST', body: form }) });
}

/** A bulk job's summary, polled every second while it runs. */
export function useBulkSummary(id: string | undefined) {
  return useQuery({
    queryKey: decesKeys.bulk(id ?? ''),
    enabled: !!id,
    queryFn: () => api<BulkSummary>(`${API}/search/csv/${id}/summary`),
    refetchInterval: (q) => (q.state.data && ['wait', 'active'].includes(q.state.data.status) ? 1000 : false),
  });
}

export const bulkResultUrl = (id: string) => `${API}/search/csv/${id}`;
/** The French CSV of a bulk result (dates JJ/MM/AAAA, scores in %, reasons, decisions). */
export const bulkFrenchUrl = (id: string) => `${API}/search/csv/${id}/fr`;

/** A page of a finished bulk result to review (lines, candidates, decisions); the previous page stays while the next loads. */
export function useBulkReview(id: string | undefined, q: BulkReviewQuery) {
  return useQuery({
    queryKey: decesKeys.bulkReviewPage(id ?? '', q),
    enabled: !!id,
    queryFn: () => api<BulkReviewPage>(`${API}/search/csv/${id}/review${qs({ filter: q.filter, page: q.page, size: q.size })}`),
    placeholderData: keepPreviousData,
  });
}

/** Accepts or rejects the candidate of a line (`decision: null` removes the decision). */
export function useDecideBulkLine(id: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkDecisionBody) =>
      api<{ decision: WireOf<typeof bulkDecisionInfo> | null }>(`${API}/search/csv/${id}/decisions`, { method: 'PUT', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: decesKeys.bulkReview(id ?? '') }),
  });
}

export function useCancelBulk(id: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<WireOf<typeof bulkCancelled>>(`${API}/search/csv/${id}`, { method: 'DELETE' }),
    onSettled: () => qc.invalidateQueries({ queryKey: decesKeys.bulk(id ?? '') }),
  });
}

/** Uploads an INSEE file (administrators); the import runs as a job. */
export function useUploadImport() {
  return useMutation({ mutationFn: (form: FormData) => api<WireOf<typeof importStarted>>(`${API}/admin/import`, { method: 'POST', body: form }) });
}

/** An import job's state, polled while it runs; the files list is refreshed when it ends. */
export function useImportStatus(id: string | undefined) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: decesKeys.import(id ?? ''),
    enabled: !!id,
    queryFn: async () => {
      const s = await api<ImportStatus>(`${API}/admin/import/${id}`);
      if (s.state === 'succeeded') await qc.invalidateQueries({ queryKey: decesKeys.version() });
      return s;
    },
    refetchInterval: (q) => (q.state.data && ['queued', 'running'].includes(q.state.data.state) ? 1000 : false),
  });
}
