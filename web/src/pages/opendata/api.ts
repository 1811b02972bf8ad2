/** The open data module's data layer: schema catalogue and the validation endpoint. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import type {
  community,
  communityImport,
  datagouvAccount,
  discussion,
  reuse,
  datagouvPush,
  datasetPage,
  publishedDatasetList,
  resourceSummary,
  schemaDetail,
  schemaList,
  usageReport,
  validationLimits,
  validationResult,
  versionDetail,
} from '@patrimoine/contracts/opendata';
import { ApiError, api, qs } from '../../api/client';

export type SchemaList = WireOf<typeof schemaList>;
export type SchemaDetail = WireOf<typeof schemaDetail>;
export type ValidationResult = WireOf<typeof validationResult>;
export type ValidationLimits = WireOf<typeof validationLimits>;

export const opendataUrls = {
  schemas: (f: { q?: string; source?: string; format?: 'csv' } = {}) => `/api/opendata/schemas${qs(f)}`,
  schema: (id: string) => `/api/opendata/schemas/${encodeURIComponent(id)}`,
  validate: '/api/opendata/validate',
  limits: '/api/opendata/validate/limits',
};

export const opendataKeys = {
  all: ['opendata'] as const,
  schemas: (f: { q?: string; source?: string }) => [...opendataKeys.all, 'schemas', f] as const,
  schema: (id: string) => [...opendataKeys.all, 'schema', id] as const,
  limits: () => [...opendataKeys.all, 'limits'] as const,
};

export function useSchemas(f: { q?: string; source?: string }) {
  return useQuery({ queryKey: opendataKeys.schemas(f), queryFn: ({ signal }) => api<SchemaList>(opendataUrls.schemas(f), { signal }) });
}

export function useSchema(id: string | null) {
  return useQuery({
    queryKey: opendataKeys.schema(id ?? ''),
    queryFn: ({ signal }) => api<SchemaDetail>(opendataUrls.schema(id!), { signal }),
    enabled: !!id,
  });
}

export function useValidationLimits() {
  return useQuery({ queryKey: opendataKeys.limits(), queryFn: ({ signal }) => api<ValidationLimits>(opendataUrls.limits, { signal }) });
}

export function useValidateFile() {
  return useMutation({
    mutationFn: ({ file, schema }: { file: File; schema: string }) => {
      const form = new FormData();
      if (schema) form.append('schema', schema);
      form.append('file', file);
      return api<ValidationResult>(opendataUrls.validate, { method: 'POST', body: form });
    },
  });
}

// ---- publication: datasets, resources, versions, usage ----------------------------------------

export type DatasetPage = WireOf<typeof datasetPage>;
export type PublishedDatasetList = WireOf<typeof publishedDatasetList>;
export type ResourceSummary = WireOf<typeof resourceSummary>;
export type VersionDetail = WireOf<typeof versionDetail>;
export type UsageReport = WireOf<typeof usageReport>;

export const publicationUrls = {
  datasets: '/api/opendata/datasets',
  dataset: (slug: string) => `/api/opendata/datasets/${encodeURIComponent(slug)}`,
  resources: (slug: string) => `/api/opendata/datasets/${encodeURIComponent(slug)}/resources`,
  versions: (resourceId: string) => `/api/opendata/resources/${encodeURIComponent(resourceId)}/versions`,
  version: (id: string) => `/api/opendata/versions/${encodeURIComponent(id)}`,
  usage: (f: { from?: string; to?: string; organisation?: string; dataset?: string; format?: 'csv' } = {}) => `/api/opendata/usage${qs(f)}`,
  monthly: (f: { month: string; organisation?: string; format?: 'csv' }) => `/api/opendata/usage/monthly${qs(f)}`,
};

export function usePublishedDatasets() {
  return useQuery({ queryKey: [...opendataKeys.all, 'datasets'], queryFn: ({ signal }) => api<PublishedDatasetList>(publicationUrls.datasets, { signal }) });
}

export function useDatasetPage(slug: string) {
  return useQuery({ queryKey: [...opendataKeys.all, 'dataset', slug], queryFn: ({ signal }) => api<DatasetPage>(publicationUrls.dataset(slug), { signal }) });
}

/** A version; polled while its analysis runs. */
export function useVersion(id: string) {
  return useQuery({
    queryKey: [...opendataKeys.all, 'version', id],
    queryFn: ({ signal }) => api<VersionDetail>(publicationUrls.version(id), { signal }),
    refetchInterval: (q) => (q.state.data && (q.state.data.state === 'uploaded' || q.state.data.state === 'analysing') ? 1000 : false),
  });
}

export function useUsage(f: { from?: string; to?: string; organisation?: string; dataset?: string }) {
  return useQuery({ queryKey: [...opendataKeys.all, 'usage', f], queryFn: ({ signal }) => api<UsageReport>(publicationUrls.usage(f), { signal }) });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: opendataKeys.all });
}

export function useCreateResource(slug: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { title: string; schema?: string; description?: string }) =>
      api<ResourceSummary>(publicationUrls.resources(slug), { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useUploadVersion() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ resourceId, file }: { resourceId: string; file: File }) => {
      const form = new FormData();
      form.append('file', file);
      return api<VersionDetail>(publicationUrls.versions(resourceId), { method: 'POST', body: form });
    },
    onSuccess: invalidate,
  });
}

export function useVersionAction(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ action, reason }: { action: 'publish' | 'waiver' | 'withdraw'; reason?: string }) =>
      api<VersionDetail>(`${publicationUrls.version(id)}/${action}`, { method: 'POST', body: action === 'publish' ? undefined : { reason } }),
    onSuccess: invalidate,
  });
}

export type DatagouvPush = WireOf<typeof datagouvPush>;
export type DatagouvAccount = WireOf<typeof datagouvAccount>;

/** The last push of a dataset (null when never pushed); polled while it runs. */
export function useDatagouvPush(slug: string, enabled: boolean) {
  return useQuery({
    queryKey: [...opendataKeys.all, 'push', slug],
    enabled,
    queryFn: async ({ signal }) => {
      try {
        return await api<DatagouvPush>(`${publicationUrls.dataset(slug)}/push`, { signal });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
    refetchInterval: (q) => (q.state.data && (q.state.data.state === 'queued' || q.state.data.state === 'running') ? 1000 : false),
  });
}

export function useRequestPush(slug: string) {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: () => api<DatagouvPush>(`${publicationUrls.dataset(slug)}/push`, { method: 'POST' }), onSuccess: invalidate });
}

export function useSetDatagouvAccount(organisationId: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { target: string; udataOrganization: string; apiKey: string }) =>
      api<DatagouvAccount>(`/api/opendata/datagouv/accounts/${encodeURIComponent(organisationId)}`, { method: 'PUT', body }),
    onSuccess: invalidate,
  });
}

// ---- reuses and discussions (A01) ---------------------------------------------------------------

export type Community = WireOf<typeof community>;
export type CommunityImport = WireOf<typeof communityImport>;
export type Reuse = WireOf<typeof reuse>;
export type Discussion = WireOf<typeof discussion>;

/** Reloads a dataset's reuses and discussions (a push that succeeded has just imported them). */
export function useRefreshCommunity(slug: string) {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: [...opendataKeys.all, 'community', slug] });
}

export function useCommunity(slug: string) {
  return useQuery({
    queryKey: [...opendataKeys.all, 'community', slug],
    queryFn: ({ signal }) => api<Community>(`${publicationUrls.dataset(slug)}/community`, { signal }),
  });
}

export function useAddReuse(slug: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { title: string; url: string; type: string; author: string }) =>
      api<Reuse>(`${publicationUrls.dataset(slug)}/reuses`, { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useRemoveReuse() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api<void>(`/api/opendata/reuses/${encodeURIComponent(id)}`, { method: 'DELETE' }), onSuccess: invalidate });
}

export function useAsk(slug: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { title: string; body: string }) => api<Discussion>(`${publicationUrls.dataset(slug)}/discussions`, { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useAnswer(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { body: string; close?: boolean }) =>
      api<Discussion>(`/api/opendata/discussions/${encodeURIComponent(id)}/answers`, { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useImportCommunity(slug: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: () => api<CommunityImport>(`${publicationUrls.dataset(slug)}/community/import`, { method: 'POST' }),
    onSuccess: invalidate,
  });
}
