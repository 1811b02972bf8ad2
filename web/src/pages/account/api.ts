/** Data layer of the account pages: own password, personal API tokens, background jobs. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import {
  finishedJobStates,
  type ChangePasswordBody,
  type CreateTokenBody,
  type apiToken,
  type apiTokenList,
  type createdToken,
  type job,
  type jobList,
} from '@patrimoine/contracts/platform';
import { api, qs } from '../../api/client';

export type ApiToken = WireOf<typeof apiToken>;
export type CreatedToken = WireOf<typeof createdToken>;
export type Job = WireOf<typeof job>;

/** Query keys of the account pages. */
export const accountKeys = {
  all: ['account'] as const,
  tokens: () => [...accountKeys.all, 'tokens'] as const,
  jobs: () => [...accountKeys.all, 'jobs'] as const,
  jobList: (all: boolean) => [...accountKeys.jobs(), 'list', { all }] as const,
  job: (id: string) => [...accountKeys.jobs(), 'one', id] as const,
};

const running = (j: Job) => !finishedJobStates.includes(j.state);

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: ChangePasswordBody) => api<void>('/api/account/password', { method: 'POST', body }),
  });
}

export function useOwnTokens() {
  return useQuery({ queryKey: accountKeys.tokens(), queryFn: () => api<WireOf<typeof apiTokenList>>('/api/account/tokens'), select: (d) => d.items });
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTokenBody) => api<CreatedToken>('/api/account/tokens', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.tokens() }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/account/tokens/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.tokens() }),
  });
}

/** Own jobs (or everyone's for an admin with `all`), polled while one runs. */
export function useJobs(all: boolean) {
  return useQuery({
    queryKey: accountKeys.jobList(all),
    queryFn: () => api<WireOf<typeof jobList>>(`/api/jobs${qs({ all: all ? 'true' : undefined })}`),
    refetchInterval: (q) => (q.state.data?.items.some(running) ? 1000 : 10_000),
    select: (d) => d.items,
  });
}

/** One job, polled while it runs. */
export function useJob(id: string | null | undefined) {
  return useQuery({
    queryKey: accountKeys.job(id ?? ''),
    queryFn: () => api<Job>(`/api/jobs/${id}`),
    enabled: !!id,
    refetchInterval: (q) => (q.state.data && !running(q.state.data) ? false : 1000),
  });
}

export function useCancelJob() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Job>(`/api/jobs/${id}/cancel`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.jobs() }),
  });
}
