import { useQuery } from '@tanstack/react-query';
import type { WireOf } from '@patrimoine/contracts/common';
import type { organisation, organisationList } from '@patrimoine/contracts/platform';
import { api } from './client';

export type Organisation = WireOf<typeof organisation>;

/** Query keys of the organisations (reference data shared by every module's forms). */
export const organisationKeys = {
  all: ['organisations'] as const,
};

/** The ministry's organisations (reference data, cached for the session). */
export function useOrganisations() {
  return useQuery({
    queryKey: organisationKeys.all,
    queryFn: () => api<WireOf<typeof organisationList>>('/api/organisations'),
    staleTime: 10 * 60_000,
    select: (d) => d.items,
  });
}
