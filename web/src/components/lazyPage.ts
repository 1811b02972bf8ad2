import { createElement, isValidElement, lazy, type ComponentType, type ReactNode } from 'react';
import { matchPath } from 'react-router';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyComponent = ComponentType<any>;

/** A page fetched with its route, that can be fetched before React renders it. */
export type LazyPage<C> = ComponentType<C extends ComponentType<infer P> ? P : never> & { preload(): Promise<unknown> };

/**
 * A page loaded with its route (issue 11, front-end weight): each module's pages are their own
 * script, fetched when the person first opens one of them, so the first screen loads only what it shows.
 * `lazyPage(() => import('./SearchPage'), 'SearchPage')` for a named export. `preload()` starts the
 * fetch early (see `preloadRoute`); the script is fetched once either way. Once fetched, the page
 * renders at once: only a page still loading suspends (React holds a revealed fallback for 300 ms,
 * which a suspension of an already fetched page would cost for nothing).
 */
export function lazyPage<M, K extends keyof M>(load: () => Promise<M>, name: K): LazyPage<M[K]> {
  let loaded: AnyComponent | null = null;
  let loading: Promise<AnyComponent> | null = null;
  const preload = () =>
    (loading ??= load().then(
      (m) => (loaded = m[name] as AnyComponent),
      (e: unknown) => {
        loading = null; // a failed fetch (offline, new deployment) is tried again by the next render
        throw e;
      },
    ));
  const Lazy = lazy(async () => ({ default: await preload() }));
  function Page(props: Record<string, unknown>) {
    return createElement(loaded ?? Lazy, props);
  }
  Page.displayName = `lazyPage(${String(name)})`;
  return Object.assign(Page, { preload }) as unknown as LazyPage<M[K]>;
}

/** Starts fetching every lazy page in a route's element tree (`<RequireRole><ActionsPage/></RequireRole>`). */
function preloadTree(node: ReactNode): void {
  if (Array.isArray(node)) return node.forEach(preloadTree);
  if (!isValidElement(node)) return;
  const type = node.type as { preload?: () => Promise<unknown> };
  if (typeof type?.preload === 'function') void type.preload().catch(() => undefined);
  preloadTree((node.props as { children?: ReactNode }).children);
}

/**
 * On the first load, fetches the script of the page the address opens at once, beside the session
 * check (`/api/auth/me`) instead of after it: a guarded page otherwise waits for the session, then
 * for its script, then for its data (issue 11's cold-load target).
 */
export function preloadRoute(pathname: string, routes: { path: string; element: ReactNode }[]): void {
  const hit = routes.find((r) => matchPath({ path: `/${r.path}`, end: true }, pathname));
  if (hit) preloadTree(hit.element);
}
