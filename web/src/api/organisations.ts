import { useQuery } from '@tanstack/react-query';
import { api } from './client';

export interface Organisation {
  id: string;
  code: string;
  name: string;
  kind: string;
  parentId: string | null;
  parentCode: string | null;
}

/** The ministry's organisations (reference data, cached for the session). */
export function useOrganisations() {
  return useQuery({
    queryKey: ['organisations'],
    queryFn: () => api<{ items: Organisation[] }>('/api/organisations'),
    staleTime: 10 * 60_000,
    select: (d) => d.items,
  });
}
