import { useSearchParams } from 'react-router';

/** Filters kept in the URL, so that a filtered view is a shareable link. */
export function useUrlState<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>;
  function set(patch: Partial<Record<K, string | number | null>>, opts: { resetPage?: boolean } = { resetPage: true }) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch) as [string, string | number | null | undefined][]) {
      if (v === null || v === undefined || v === '') next.delete(k);
      else next.set(k, String(v));
    }
    if (opts.resetPage && !('page' in patch)) next.delete('page');
    setParams(next, { replace: false });
  }
  return [values, set] as const;
}
