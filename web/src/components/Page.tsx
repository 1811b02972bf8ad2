import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { ApiError } from '../api/client';
import { webModules } from '../modules';
import { ErrorAlert } from './ErrorAlert';

/**
 * The frame of every page (issue 11, RGAA 8.5, 8.6, 9.1, 12.9): its `<title>`, its breadcrumb below
 * the home page, its h1. A page says what it is with `<PageTitle>` in place of its h1; the layout
 * draws the breadcrumb from it (home › the module's entry › the page's own parents › the page) and the
 * browser tab reads « title — Patrimoine ».
 */
export interface Crumb {
  label: string;
  to: string;
}

interface PageInfo {
  title: string;
  parents: Crumb[];
}

const SITE = 'Patrimoine';
const PageContext = createContext<(info: PageInfo | null) => void>(() => {});

/** The text of a heading's content (strings and numbers, nested arrays), for the tab and the breadcrumb. */
function textOf(node: ReactNode): string {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (typeof node === 'object' && 'props' in node) return textOf((node.props as { children?: ReactNode }).children);
  return '';
}

/**
 * The page's h1, which also names the page in the browser tab and ends its breadcrumb.
 * `title` overrides the text read from the children; `parents` are crumbs between the module's entry
 * and this page (a roadmap's action list above one action).
 */
export function PageTitle({ children, title, parents = [], className }: { children: ReactNode; title?: string; parents?: Crumb[]; className?: string }) {
  const register = useContext(PageContext);
  const text = (title ?? textOf(children)).replace(/\s+/g, ' ').trim();
  const key = JSON.stringify(parents);
  useEffect(() => {
    register({ title: text, parents: JSON.parse(key) as Crumb[] });
    return () => register(null);
  }, [register, text, key]);
  return <h1 className={className}>{children}</h1>;
}

/** A page that could not be shown (not found, refused, failed): its own h1, then the reason. */
export function PageError({ error, title }: { error: unknown; title?: string }) {
  const heading =
    title ??
    (error instanceof ApiError
      ? error.status === 404
        ? 'Page introuvable'
        : error.status === 403
          ? 'Accès refusé'
          : error.status === 401
            ? 'Connexion requise'
            : 'Page indisponible'
      : 'Page indisponible');
  return (
    <>
      <PageTitle>{heading}</PageTitle>
      <ErrorAlert error={error} title={heading} />
    </>
  );
}

/** The module entry a path falls under (Catalogue for /catalogue/dataset/x), unless the path is that entry. */
function moduleCrumb(path: string): Crumb | null {
  for (const m of webModules) {
    if (!m.nav) continue;
    const to = m.nav.to;
    if (path !== to && path.startsWith(`${to}/`)) return { label: m.nav.text, to };
  }
  return null;
}

/** Holds what the current page said about itself; renders the breadcrumb and sets the tab's title. */
export function PageFrame({ children }: { children: ReactNode }) {
  const [info, setInfo] = useState<PageInfo | null>(null);
  const { pathname } = useLocation();
  useEffect(() => {
    document.title = pathname === '/' ? `Accueil — ${SITE}` : info?.title ? `${info.title} — ${SITE}` : SITE;
  }, [info, pathname]);
  const segments = useMemo(() => {
    if (!info) return [];
    const crumbs: Crumb[] = [];
    const mod = moduleCrumb(pathname);
    for (const c of [...(mod ? [mod] : []), ...info.parents]) {
      if (c.to !== pathname && c.to !== '/' && !crumbs.some((x) => x.to === c.to)) crumbs.push(c);
    }
    return crumbs.map((c) => ({ label: c.label, linkProps: { to: c.to } }));
  }, [info, pathname]);
  return (
    <PageContext.Provider value={setInfo}>
      {info && pathname !== '/' && <Breadcrumb className="fr-mt-0 fr-mb-3w" homeLinkProps={{ to: '/' }} segments={segments} currentPageLabel={info.title} />}
      {children}
    </PageContext.Provider>
  );
}
