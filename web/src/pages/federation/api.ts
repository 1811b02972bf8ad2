/** Data layer of the ProConnect pages: providers, pending link, organisation rules, agents to place. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import type { OrgRuleBody, agentToPlaceList, orgRule, orgRuleList, pendingLink, providers, signedIn } from '@patrimoine/contracts/federation';
import type { Role } from '@patrimoine/contracts/platform';
import { api } from '../../api/client';

export type OrgRule = WireOf<typeof orgRule>;

export const federationKeys = {
  all: ['federation'] as const,
  providers: () => [...federationKeys.all, 'providers'] as const,
  link: () => [...federationKeys.all, 'link'] as const,
  rules: () => [...federationKeys.all, 'rules'] as const,
  toPlace: () => [...federationKeys.all, 'to-place'] as const,
};

/** Where the ProConnect button sends the browser (a full page load: the server redirects to ProConnect). */
export const proconnectLoginUrl = (p: { retour?: string | null; mfa?: boolean } = {}) => {
  const q = new URLSearchParams();
  if (p.retour && p.retour.startsWith('/')) q.set('retour', p.retour);
  if (p.mfa) q.set('mfa', '1');
  const s = q.toString();
  return `/api/auth/proconnect/login${s ? `?${s}` : ''}`;
};

export const federationCsvUrls = { rules: '/api/admin/federation/rules?format=csv', toPlace: '/api/admin/federation/agents-to-place?format=csv' };

export function useProviders() {
  return useQuery({ queryKey: federationKeys.providers(), queryFn: () => api<WireOf<typeof providers>>('/api/auth/providers'), staleTime: 300_000 });
}

export function usePendingLink() {
  return useQuery({ queryKey: federationKeys.link(), queryFn: () => api<WireOf<typeof pendingLink>>('/api/auth/proconnect/link'), retry: false });
}

export function useConfirmLink() {
  return useMutation({
    mutationFn: (body: { password?: string }) =>
      api<WireOf<typeof signedIn>>('/api/auth/proconnect/link', { method: 'POST', body: { confirm: true, ...body } }),
  });
}

export function useRules() {
  return useQuery({ queryKey: federationKeys.rules(), queryFn: () => api<WireOf<typeof orgRuleList>>('/api/admin/federation/rules') });
}

export function useCreateRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: OrgRuleBody) => api<OrgRule>('/api/admin/federation/rules', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: federationKeys.rules() }),
  });
}

export function useDeleteRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/admin/federation/rules/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: federationKeys.rules() }),
  });
}

export function useAgentsToPlace() {
  return useQuery({ queryKey: federationKeys.toPlace(), queryFn: () => api<WireOf<typeof agentToPlaceList>>('/api/admin/federation/agents-to-place') });
}

export function usePlaceAgent() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ identityId, organisationId, role }: { identityId: string; organisationId: string; role: Role }) =>
      api<void>(`/api/admin/federation/agents-to-place/${identityId}/place`, { method: 'POST', body: { organisationId, role } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: federationKeys.toPlace() }),
  });
}
