import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';

/** Filters kept in the URL, so that a filtered view is a shareable link. */
export function useUrlState<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>;
  function set(patch: Partial<Record<K, string | number | null>>, opts: { resetPage?: boolean } = { resetPage: true }) {
    // React Router commits a navigation in a transition: until it renders, `params` is the URL before
    // the last write. The browser's location is already the new one (BrowserRouter pushes at once), so
    // two writes in a row (a field, then another before the first has rendered) both count.
    const next = new URLSearchParams(typeof window === 'undefined' ? params : window.location.search);
    for (const [k, v] of Object.entries(patch) as [string, string | number | null | undefined][]) {
      if (v === null || v === undefined || v === '') next.delete(k);
      else next.set(k, String(v));
    }
    if (opts.resetPage && !('page' in patch)) next.delete('page');
    setParams(next, { replace: false });
  }
  return [values, set] as const;
}

/**
 * A text field whose value lives in the URL: what the person types is kept here at once and written to
 * the URL after a pause of `delayMs`, so that the list follows the typing without a query per key.
 *
 * The field must not be bound to the URL directly. React Router commits a URL change in a transition,
 * and React puts a controlled input back to its rendered value after each keystroke: letters typed
 * before the transition renders would be lost, and the echo of an older write could replace what was
 * typed since. `pushed` is the last value this field wrote; only a URL change from elsewhere (a link,
 * the back button, a reset) replaces the text.
 */
export function useUrlText(urlValue: string, write: (value: string) => void, delayMs = 250) {
  const [text, setText] = useState(urlValue);
  const pushed = useRef(urlValue);
  const writeRef = useRef(write);
  writeRef.current = write;
  useEffect(() => {
    if (text === pushed.current) return;
    const h = setTimeout(() => {
      pushed.current = text;
      writeRef.current(text);
    }, delayMs);
    return () => clearTimeout(h);
  }, [text, delayMs]);
  useEffect(() => {
    if (urlValue === pushed.current) return;
    pushed.current = urlValue;
    setText(urlValue);
  }, [urlValue]);
  return [text, setText] as const;
}
