import { describe, expect, it } from 'vitest';
import { createElement, Suspense, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { lazyPage, preloadRoute } from './lazyPage';

/** A page module whose fetches are counted, and that can be made to fail once. */
function counted(text: string, failFirst = false) {
  const state = { fetches: 0 };
  const load = async () => {
    state.fetches++;
    if (failFirst && state.fetches === 1) throw new Error('réseau indisponible');
    return { Page: ({ who }: { who?: string }) => createElement('p', null, `${text}${who ? ` ${who}` : ''}`) };
  };
  return { state, page: lazyPage(load, 'Page') };
}

const Guard = ({ children }: { children: ReactNode }) => createElement('div', null, children);
const inSuspense = (node: ReactNode) => renderToString(createElement(Suspense, { fallback: createElement('p', null, 'Chargement…') }, node));

describe('lazyPage and preloadRoute (cold load, issue 11)', () => {
  it('fetches the page the address opens, through its guard, and only that one', async () => {
    const actions = counted('Actions');
    const dashboard = counted('Tableau de bord');
    const routes = [
      { path: 'feuille-de-route/:slug', element: createElement(Guard, null, createElement(actions.page)) },
      { path: 'feuille-de-route/:slug/tableau-de-bord', element: createElement(Guard, null, createElement(dashboard.page)) },
    ];
    preloadRoute('/feuille-de-route/dac-2021-2023', routes);
    expect([actions.state.fetches, dashboard.state.fetches]).toEqual([1, 0]);
    preloadRoute('/feuille-de-route/dac-2021-2023', routes);
    await actions.page.preload();
    expect(actions.state.fetches).toBe(1); // fetched once, however often it is asked for
    preloadRoute('/ailleurs', routes);
    expect(dashboard.state.fetches).toBe(0);
  });

  it('renders a fetched page at once, with its props, and suspends only a page still loading', async () => {
    const fetched = counted('Prête');
    await fetched.page.preload();
    expect(inSuspense(createElement(fetched.page, { who: 'pour Alice' }))).toContain('Prête pour Alice');
    const pending = counted('Pas encore');
    const html = inSuspense(createElement(pending.page));
    expect(html).toContain('Chargement…');
    expect(html).not.toContain('Pas encore');
  });

  it('tries a failed fetch again', async () => {
    const flaky = counted('Revenue', true);
    await expect(flaky.page.preload()).rejects.toThrow('réseau indisponible');
    await flaky.page.preload();
    expect(flaky.state.fetches).toBe(2);
    expect(inSuspense(createElement(flaky.page))).toContain('Revenue');
  });
});
