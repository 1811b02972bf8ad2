/** Data layer of the administration pages: accounts, organisations, audit log. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import type {
  AuditQuery,
  CreateOrganisationBody,
  CreateUserBody,
  UpdateOrganisationBody,
  UpdateUserBody,
  UserListQuery,
  auditEntry,
  auditPage,
  createdUser,
  organisation,
  passwordReset,
  user,
  userList,
} from '@patrimoine/contracts/platform';
import { api, qs } from '../../api/client';
import { organisationKeys } from '../../api/organisations';

export type User = WireOf<typeof user>;
export type AuditEntry = WireOf<typeof auditEntry>;

/** `?…` of a list query, empty values left out. */
type Params = Record<string, string | number | boolean | undefined | null>;

/** Query keys of the administration pages. */
export const adminKeys = {
  all: ['admin'] as const,
  users: () => [...adminKeys.all, 'users'] as const,
  userList: (q: UserListQuery) => [...adminKeys.users(), q] as const,
  audit: (q: AuditQuery) => [...adminKeys.all, 'audit', q] as const,
};

/** Download links (CSV exports) of the lists, with the same filters. */
export const adminCsvUrls = {
  users: (q: Omit<UserListQuery, 'page' | 'pageSize' | 'format'>) => `/api/admin/users${qs({ ...(q as Params), format: 'csv' })}`,
  audit: (q: Omit<AuditQuery, 'page' | 'pageSize' | 'format'>) => `/api/admin/audit${qs({ ...(q as Params), format: 'csv' })}`,
};

export function useUsers(q: UserListQuery) {
  return useQuery({ queryKey: adminKeys.userList(q), queryFn: () => api<WireOf<typeof userList>>(`/api/admin/users${qs(q as Params)}`) });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserBody) => api<WireOf<typeof createdUser>>('/api/admin/users', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: adminKeys.users() }),
  });
}

export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateUserBody }) => api<User>(`/api/admin/users/${id}`, { method: 'PATCH', body: patch }),
    onSuccess: () => qc.invalidateQueries({ queryKey: adminKeys.users() }),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: (id: string) => api<WireOf<typeof passwordReset>>(`/api/admin/users/${id}/reset-password`, { method: 'POST' }),
  });
}

export function useCreateOrganisation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateOrganisationBody) => api<WireOf<typeof organisation>>('/api/admin/organisations', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: organisationKeys.all }),
  });
}

export function useUpdateOrganisation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ code, patch }: { code: string; patch: UpdateOrganisationBody }) =>
      api<WireOf<typeof organisation>>(`/api/admin/organisations/${encodeURIComponent(code)}`, { method: 'PATCH', body: patch }),
    onSuccess: () => qc.invalidateQueries({ queryKey: organisationKeys.all }),
  });
}

export function useAudit(q: AuditQuery) {
  return useQuery({ queryKey: adminKeys.audit(q), queryFn: () => api<WireOf<typeof auditPage>>(`/api/admin/audit${qs(q as Params)}`) });
}
