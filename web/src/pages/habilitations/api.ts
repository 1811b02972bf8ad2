/** The habilitations' data layer: one query-key factory and typed hooks for every call the pages make. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import type {
  definition,
  form,
  habilitation,
  habilitationWithUsage,
  message,
  messageTemplate,
  openDataExport,
  requestDetail,
  requestList,
  requestSummary,
  revealResult,
  roleAssignment,
  webhook,
  webhookAttempt,
  DefinitionInput,
  statsResult,
  transitionResult,
  Transition,
} from '@patrimoine/contracts/habilitations';
import { api, qs } from '../../api/client';

export type Definition = WireOf<typeof definition>;
export type Form = WireOf<typeof form>;
export type RequestSummary = WireOf<typeof requestSummary>;
export type RequestDetail = WireOf<typeof requestDetail>;
export type RequestList = WireOf<typeof requestList>;
export type Habilitation = WireOf<typeof habilitation>;
export type TransitionResult = WireOf<typeof transitionResult>;
export type Reveal = WireOf<typeof revealResult>;
export type Stats = WireOf<typeof statsResult>;
export type Message = WireOf<typeof message>;
export type Template = WireOf<typeof messageTemplate>;
export type HabilitationWithUsage = WireOf<typeof habilitationWithUsage>;
export type RoleAssignment = WireOf<typeof roleAssignment>;
export type Webhook = WireOf<typeof webhook>;
export type WebhookAttempt = WireOf<typeof webhookAttempt>;
export type OpenDataExport = WireOf<typeof openDataExport>;

const base = '/api/habilitations';
const enc = encodeURIComponent;
export interface RequestFilters {
  mine?: 'true';
  state?: string;
  definitionId?: string;
  q?: string;
  page?: number;
}
/** Addresses also used as links (CSV exports, documents). */
export const habUrls = {
  requests: (f: RequestFilters & { format?: 'csv' }) => `${base}/requests${qs({ ...f })}`,
  habilitations: (format?: 'csv') => `${base}/habilitations${qs({ format })}`,
  document: (id: string, docId: string) => `${base}/requests/${enc(id)}/documents/${enc(docId)}`,
  stats: (format?: 'csv') => `${base}/stats${qs({ format })}`,
  opendata: () => `${base}/opendata`,
  opendataExports: () => `${base}/opendata/exports`,
};

export const habKeys = {
  all: ['habilitations'] as const,
  definitions: () => [...habKeys.all, 'definitions'] as const,
  definition: (id: string) => [...habKeys.all, 'definition', id] as const,
  forms: (id: string) => [...habKeys.all, 'forms', id] as const,
  requests: (f: RequestFilters) => [...habKeys.all, 'requests', f] as const,
  request: (id: string) => [...habKeys.all, 'request', id] as const,
  habilitations: () => [...habKeys.all, 'list'] as const,
  templates: (id: string) => [...habKeys.all, 'templates', id] as const,
  stats: () => [...habKeys.all, 'stats'] as const,
};

export function useDefinitions() {
  return useQuery({ queryKey: habKeys.definitions(), queryFn: () => api<{ items: Definition[] }>(`${base}/definitions`), select: (d) => d.items });
}
export function useDefinition(id: string) {
  return useQuery({ queryKey: habKeys.definition(id), queryFn: () => api<Definition>(`${base}/definitions/${enc(id)}`) });
}
export function useForms(id: string) {
  return useQuery({ queryKey: habKeys.forms(id), queryFn: () => api<{ items: Form[] }>(`${base}/definitions/${enc(id)}/forms`), select: (d) => d.items });
}
export function useRequests(f: RequestFilters) {
  return useQuery({ queryKey: habKeys.requests(f), queryFn: () => api<RequestList>(habUrls.requests(f)) });
}
export function useRequest(id: string) {
  return useQuery({ queryKey: habKeys.request(id), queryFn: () => api<RequestDetail>(`${base}/requests/${enc(id)}`) });
}
export function useHabilitations() {
  return useQuery({ queryKey: habKeys.habilitations(), queryFn: () => api<{ items: Habilitation[] }>(habUrls.habilitations()), select: (d) => d.items });
}
export function useTemplates(definitionId: string, enabled: boolean) {
  return useQuery({
    queryKey: habKeys.templates(definitionId),
    queryFn: () => api<{ items: Template[] }>(`${base}/definitions/${enc(definitionId)}/templates`),
    select: (d) => d.items,
    enabled,
  });
}
export function useStats() {
  return useQuery({ queryKey: habKeys.stats(), queryFn: () => api<Stats>(habUrls.stats()) });
}

/** A habilitation with its live usage (refreshed every 15 s while the page is open). */
export function useHabilitationUsage(id: string, enabled: boolean) {
  return useQuery({
    queryKey: [...habKeys.all, 'usage', id],
    queryFn: () => api<HabilitationWithUsage>(`${base}/habilitations/${enc(id)}`),
    select: (d) => d.usage,
    enabled,
    refetchInterval: 15_000,
  });
}
export function useOpenDataExports() {
  return useQuery({
    queryKey: [...habKeys.all, 'opendata'],
    queryFn: () => api<{ items: OpenDataExport[] }>(habUrls.opendataExports()),
    select: (d) => d.items,
  });
}

export function useCreateRequest() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { definitionId: string; formUid?: string; data?: Record<string, unknown> }) =>
      api<RequestSummary>(`${base}/requests`, { method: 'POST', body: { data: {}, ...b } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: [...habKeys.all, 'requests'] }),
  });
}
/** Autosave of the form: the data, with the version the page holds. */
export function useSaveRequest(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { data: Record<string, unknown>; version?: number }) => api<RequestSummary>(`${base}/requests/${enc(id)}`, { method: 'PATCH', body: b }),
    onSuccess: (s) =>
      qc.setQueryData<RequestDetail>(habKeys.request(id), (old) => (old ? { ...old, version: s.version, updatedAt: s.updatedAt, intitule: s.intitule } : old)),
  });
}
export function useTransition(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { transition: Transition; message?: string; scopes?: string[]; version?: number }) =>
      api<TransitionResult>(`${base}/requests/${enc(id)}/transitions/${b.transition}`, {
        method: 'POST',
        body: { message: b.message, scopes: b.scopes, version: b.version },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: habKeys.all }),
  });
}
export function usePostMessage(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: string) => api<Message>(`${base}/requests/${enc(id)}/messages`, { method: 'POST', body: { body } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: habKeys.request(id) }),
  });
}
export function useUploadDocument(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { key: string; file: File }) => {
      const fd = new FormData();
      fd.append('file', b.file, b.file.name);
      return api<{ id: string; key: string; filename: string }>(`${base}/requests/${enc(id)}/documents${qs({ key: b.key })}`, { method: 'POST', body: fd });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: habKeys.request(id) }),
  });
}
export function useReveal() {
  return useMutation({ mutationFn: (token: string) => api<Reveal>(`${base}/secrets/${enc(token)}`, { method: 'POST' }) });
}

// ---------- managers: definition, roles, templates, webhooks ----------

export function useSaveDefinition(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: Omit<DefinitionInput, 'id'>) => api<Definition>(`${base}/definitions/${enc(id)}`, { method: 'PUT', body: b }),
    onSuccess: (d) => {
      qc.setQueryData(habKeys.definition(id), d);
      void qc.invalidateQueries({ queryKey: habKeys.definitions() });
    },
  });
}
export function useRoles(definitionId: string) {
  return useQuery({
    queryKey: [...habKeys.all, 'roles', definitionId],
    queryFn: () => api<{ items: RoleAssignment[] }>(`${base}/definitions/${enc(definitionId)}/roles`),
    select: (d) => d.items,
  });
}
export function useGrantRole(definitionId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { login: string; role: RoleAssignment['role'] }) =>
      api<{ items: RoleAssignment[] }>(`${base}/definitions/${enc(definitionId)}/roles`, { method: 'POST', body: b }),
    onSuccess: (d) => qc.setQueryData([...habKeys.all, 'roles', definitionId], d),
  });
}
export function useRevokeRole(definitionId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { userId: string; role: RoleAssignment['role'] }) =>
      api<void>(`${base}/definitions/${enc(definitionId)}/roles/${enc(b.userId)}/${b.role}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: [...habKeys.all, 'roles', definitionId] }),
  });
}
export function useAddTemplate(definitionId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { title: string; body: string }) => api<Template>(`${base}/definitions/${enc(definitionId)}/templates`, { method: 'POST', body: b }),
    onSuccess: () => qc.invalidateQueries({ queryKey: habKeys.templates(definitionId) }),
  });
}
export function useDeleteTemplate(definitionId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (templateId: string) => api<void>(`${base}/definitions/${enc(definitionId)}/templates/${enc(templateId)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: habKeys.templates(definitionId) }),
  });
}
const webhooksKey = [...habKeys.all, 'webhooks'] as const;
export function useWebhooks() {
  return useQuery({ queryKey: webhooksKey, queryFn: () => api<{ items: Webhook[] }>(`${base}/webhooks`), select: (d) => d.items });
}
export function useCreateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { definitionId: string; url: string; secret: string; events: string[] }) =>
      api<{ webhook: Webhook; test: { statusCode: number | null; ok: boolean } }>(`${base}/webhooks`, { method: 'POST', body: b }),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhooksKey }),
  });
}
export function useSetWebhookEnabled() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { id: string; enabled: boolean }) =>
      api<Webhook>(`${base}/webhooks/${enc(b.id)}/enabled`, { method: 'POST', body: { enabled: b.enabled } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhooksKey }),
  });
}
export function useWebhookAttempts(id: string | null) {
  return useQuery({
    queryKey: [...webhooksKey, 'attempts', id],
    queryFn: () => api<{ items: WebhookAttempt[] }>(`${base}/webhooks/${enc(id!)}/attempts`),
    select: (d) => d.items,
    enabled: id !== null,
    refetchInterval: 5_000,
  });
}
export function useReplayAttempt(webhookId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (attemptId: string) => api<{ queued: boolean }>(`${base}/webhooks/${enc(webhookId)}/attempts/${enc(attemptId)}/replay`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: [...webhooksKey, 'attempts', webhookId] }),
  });
}
