import { useEffect, useRef, useState } from 'react';
import { useLocation, useSearchParams } from 'react-router';

function samePath(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return decodeURI(a) === decodeURI(b);
  } catch {
    return false;
  }
}

/**
 * The query string a filter write leads to, or null when the write must be dropped.
 *
 * React Router commits a navigation in a transition: until it renders, the rendered URL is the one
 * before the last write, while the browser's location is already the new one (BrowserRouter pushes at
 * once). Starting from the browser's query string makes two writes in a row (a field, then another
 * before the first has rendered) both count. A write that comes after the person has followed a link
 * (a field's pending write, `useUrlText`) belongs to the page being left: the browser is already on the
 * next page while this one is still rendered, and writing would navigate back to it.
 */
export function nextSearch(
  browser: { pathname: string; search: string },
  renderedPathname: string,
  patch: Record<string, string | number | null | undefined>,
  resetPage: boolean,
): URLSearchParams | null {
  if (!samePath(browser.pathname, renderedPathname)) return null;
  const next = new URLSearchParams(browser.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined || v === '') next.delete(k);
    else next.set(k, String(v));
  }
  if (resetPage && !('page' in patch)) next.delete('page');
  return next;
}

/** Filters kept in the URL, so that a filtered view is a shareable link. */
export function useUrlState<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const { pathname, search } = useLocation();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>;
  function set(patch: Partial<Record<K, string | number | null>>, opts: { resetPage?: boolean } = { resetPage: true }) {
    const browser = typeof window === 'undefined' ? { pathname, search } : window.location;
    const next = nextSearch(browser, pathname, patch, !!opts.resetPage);
    if (next) setParams(next, { replace: false });
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

/**
 * The draft of a form whose fields are sent to the URL on submit (« Rechercher »), after a URL change.
 *
 * A field follows the URL when its value there changed from elsewhere (a link, the back button). The
 * echo of this form's own submit does not: React Router renders the new URL in a transition, possibly
 * after the person has started typing the next query, and putting the submitted value back would
 * erase what was typed since (the deaths search lost « martine » to the late echo of « maritn »).
 */
export function nextDraft<K extends string>(
  draft: Record<K, string>,
  before: Record<K, string>,
  url: Record<K, string>,
  submitted: Partial<Record<K, string>> | null,
): Record<K, string> {
  let next = draft;
  for (const k of Object.keys(url) as K[]) {
    if (url[k] === before[k]) continue;
    if (submitted && k in submitted && submitted[k] === url[k]) continue;
    if (next === draft) next = { ...draft };
    next[k] = url[k];
  }
  return next;
}

/** A form's draft over URL state `values` (`nextDraft`); call `submitted(patch)` with what a submit writes. */
export function useUrlDraft<K extends string>(values: Record<K, string>) {
  const [draft, setDraft] = useState(values);
  const before = useRef(values);
  const sent = useRef<Partial<Record<K, string>> | null>(null);
  const key = JSON.stringify(values);
  useEffect(() => {
    const prev = before.current;
    before.current = values;
    const echo = sent.current;
    sent.current = null;
    setDraft((d) => nextDraft(d, prev, values, echo));
    // `key` stands for `values` (a new object at each render).
  }, [key]);
  function submitted(patch: Partial<Record<K, string | null>>) {
    sent.current = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v ?? ''])) as Partial<Record<K, string>>;
  }
  return [draft, setDraft, submitted] as const;
}
