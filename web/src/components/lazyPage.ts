import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyComponent = ComponentType<any>;

/**
 * A page loaded with its route (issue 11, front-end weight): each module's pages are their own
 * script, fetched when the person first opens one of them, so the first screen loads only what it shows.
 * `lazyPage(() => import('./SearchPage'), 'SearchPage')` for a named export.
 */
export function lazyPage<M, K extends keyof M>(load: () => Promise<M>, name: K): LazyExoticComponent<M[K] & AnyComponent> {
  return lazy(async () => ({ default: (await load())[name] as M[K] & AnyComponent }));
}
