/** The explore module's data layer: explorable resources, questions, results, dashboards, embeds. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import type {
  DashboardInput,
  QuestionInput,
  RunInput,
  dashboard,
  dashboardList,
  explorableResourceList,
  question,
  questionList,
  queryResult,
} from '@patrimoine/contracts/explore';
import { api, qs } from '../../api/client';

export type ExplorableResources = WireOf<typeof explorableResourceList>;
export type ExplorableResource = ExplorableResources['items'][number];
export type Question = WireOf<typeof question>;
export type QuestionList = WireOf<typeof questionList>;
export type QueryResult = WireOf<typeof queryResult>;
export type Dashboard = WireOf<typeof dashboard>;
export type DashboardList = WireOf<typeof dashboardList>;
export type { DashboardInput, QuestionInput, RunInput };

export const exploreUrls = {
  resources: '/api/explore/resources',
  data: (id: string, params: Record<string, string | number>) => `/api/explore/resources/${id}/data${qs(params)}`,
  run: '/api/explore/run',
  questions: '/api/explore/questions',
  question: (id: string) => `/api/explore/questions/${id}`,
  questionResult: (id: string, format?: 'csv') => `/api/explore/questions/${id}/result${qs({ format })}`,
  dashboards: '/api/explore/dashboards',
  dashboard: (id: string) => `/api/explore/dashboards/${id}`,
  card: (id: string, index: number, filters: Record<string, string>, format?: 'csv') =>
    `/api/explore/dashboards/${id}/cards/${index}/result${qs({ filters: Object.keys(filters).length ? JSON.stringify(filters) : undefined, format })}`,
  embed: (id: string) => `/api/explore/dashboards/${id}/embed`,
  embedded: (token: string) => `/api/explore/embed/${token}`,
  embeddedCard: (token: string, index: number, filters: Record<string, string>, format?: 'csv') =>
    `/api/explore/embed/${token}/cards/${index}/result${qs({ filters: Object.keys(filters).length ? JSON.stringify(filters) : undefined, format })}`,
};

export const exploreKeys = {
  all: ['explore'] as const,
  resources: () => [...exploreKeys.all, 'resources'] as const,
  questions: () => [...exploreKeys.all, 'questions'] as const,
  question: (id: string) => [...exploreKeys.all, 'question', id] as const,
  result: (url: string) => [...exploreKeys.all, 'result', url] as const,
  dashboards: () => [...exploreKeys.all, 'dashboards'] as const,
  dashboard: (id: string) => [...exploreKeys.all, 'dashboard', id] as const,
  embedded: (token: string) => [...exploreKeys.all, 'embedded', token] as const,
};

export function useExplorableResources() {
  return useQuery({ queryKey: exploreKeys.resources(), queryFn: ({ signal }) => api<ExplorableResources>(exploreUrls.resources, { signal }) });
}

export function useQuestions() {
  return useQuery({ queryKey: exploreKeys.questions(), queryFn: ({ signal }) => api<QuestionList>(exploreUrls.questions, { signal }) });
}

export function useQuestion(id: string | null) {
  return useQuery({ queryKey: exploreKeys.question(id ?? ''), queryFn: ({ signal }) => api<Question>(exploreUrls.question(id!), { signal }), enabled: !!id });
}

/** A result by its URL (a question's, a card's, an embedded card's). */
export function useResult(url: string | null) {
  return useQuery({ queryKey: exploreKeys.result(url ?? ''), queryFn: ({ signal }) => api<QueryResult>(url!, { signal }), enabled: !!url, retry: false });
}

export function useRun() {
  return useMutation({ mutationFn: (body: RunInput) => api<QueryResult>(exploreUrls.run, { method: 'POST', body }) });
}

export function useSaveQuestion(id: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: QuestionInput) => api<Question>(id ? exploreUrls.question(id) : exploreUrls.questions, { method: id ? 'PUT' : 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: exploreKeys.all }),
  });
}

export function useDeleteQuestion() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<null>(exploreUrls.question(id), { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: exploreKeys.all }),
  });
}

export function useDashboards() {
  return useQuery({ queryKey: exploreKeys.dashboards(), queryFn: ({ signal }) => api<DashboardList>(exploreUrls.dashboards, { signal }) });
}

export function useDashboard(id: string | null) {
  return useQuery({
    queryKey: exploreKeys.dashboard(id ?? ''),
    queryFn: ({ signal }) => api<Dashboard>(exploreUrls.dashboard(id!), { signal }),
    enabled: !!id,
  });
}

export function useEmbeddedDashboard(token: string) {
  return useQuery({ queryKey: exploreKeys.embedded(token), queryFn: ({ signal }) => api<Dashboard>(exploreUrls.embedded(token), { signal }), retry: false });
}

export function useSaveDashboard(id: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: DashboardInput) => api<Dashboard>(id ? exploreUrls.dashboard(id) : exploreUrls.dashboards, { method: id ? 'PUT' : 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: exploreKeys.all }),
  });
}

export function useEmbedToken(id: string) {
  return useMutation({
    mutationFn: (ttlHours: number) => api<{ token: string; expiresAt: string; path: string }>(exploreUrls.embed(id), { method: 'POST', body: { ttlHours } }),
  });
}
