import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { adminPassword, axeViolations, launch, login, newPage, settled, unexpected, visible } from './browser';

/**
 * Every page of the site, as the person who uses it (issue 11): a distinct `<title>`, a breadcrumb below
 * the home page, one h1, headings in order, and no serious or critical axe violation (WCAG 2.1 AA).
 * A page reached through a list (a project, a schema) is opened by clicking the list's first link.
 */
interface Visit {
  /** The page's address, or the list page to open first. */
  path: string;
  /**
   * When set: click the first link of `path`'s main content whose address starts with this (`*x`: contains
   * x); a list: one click after the other (a list, one of its items, a page of that item).
   */
  via?: string | string[];
  /** The page's expected h1 (a pattern), when it is known. */
  h1?: RegExp;
}

const R = '/feuille-de-route/dac-2021-2023';

const PUBLIC: Visit[] = [
  { path: '/', h1: /^Patrimoine$/ },
  { path: '/connexion', h1: /Connexion/ },
  { path: '/accessibilite' },
  { path: '/mentions-legales' },
  { path: '/donnees-personnelles' },
  { path: '/plan-du-site' },
  { path: '/catalogue', h1: /Catalogue/ },
  { path: '/catalogue?q=candilib', via: '/catalogue/' },
  { path: '/catalogue?q=zorglubxq', h1: /Catalogue/ },
  { path: '/catalogue/algorithm/candilib-attribution-places/explication' },
  { path: '/transparence/feuille-de-route' },
  { path: '/transparence/gouvernance' },
  { path: '/donnees-ouvertes/schemas' },
  { path: '/donnees-ouvertes/schemas', via: '/donnees-ouvertes/schemas/' },
  { path: '/donnees-ouvertes/valider' },
  { path: '/donnees-ouvertes/jeux', h1: /Jeux de données publiés/ },
  { path: '/donnees-ouvertes/jeux', via: '/donnees-ouvertes/jeux/' },
  { path: '/donnees-ouvertes/jeux', via: ['/donnees-ouvertes/jeux/', '/donnees-ouvertes/versions/'] },
  { path: '/api-portail' },
  { path: '/api-portail', via: '/api-portail/d' },
  { path: '/api-portail/droit-a-conduire/franceconnect' },
  { path: '/habilitations' },
  { path: '/habilitations', via: '/habilitations/' },
  { path: '/habilitations/donnees-ouvertes' },
  { path: '/deces' },
  { path: '/exploration/tableaux' },
  { path: '/exploration/tableaux', via: '/exploration/tableaux/' },
  { path: '/une-page-qui-n-existe-pas', h1: /Page non trouvée/ },
  { path: '/catalogue/dataset/un-actif-qui-n-existe-pas', h1: /introuvable/ },
];

const ADMIN: Visit[] = [
  { path: '/compte' },
  { path: '/taches' },
  { path: '/admin/utilisateurs' },
  { path: '/admin/organisations' },
  { path: '/admin/audit' },
  { path: '/admin/proconnect' },
  { path: '/catalogue/tableau-de-bord' },
  { path: '/catalogue/nouveau' },
  { path: '/catalogue/import' },
  { path: '/catalogue/synonymes', h1: /Synonymes/ },
  { path: '/catalogue/application/histovec' },
  { path: '/catalogue/application/histovec/modifier' },
  { path: R },
  { path: R, via: `${R}/actions/` },
  { path: `${R}/ouvertures` },
  { path: `${R}/tableau-de-bord` },
  { path: `${R}/comite` },
  { path: `${R}/mise-a-jour` },
  { path: '/gouvernance/reseau' },
  { path: '/gouvernance/revues' },
  { path: '/gouvernance/projets' },
  { path: '/gouvernance/projets', via: '/gouvernance/projets/' },
  { path: '/api-portail/applications' },
  { path: '/api-portail/producteur' },
  { path: '/habilitations/mes-demandes' },
  { path: '/habilitations/instruction' },
  { path: '/habilitations/api_certificat_immatriculation', via: '*/gestion' },
  { path: '/donnees-ouvertes/telechargements', h1: /Indicateurs d’usage/ },
  { path: '/deces?q=martin', via: '/deces/personne/' },
  { path: '/deces/appariement' },
  { path: '/deces/statistiques' },
  { path: '/deces/fichiers' },
  { path: '/deces/corrections' },
  { path: '/exploration/questions' },
  { path: '/exploration/questions/nouvelle' },
  { path: '/exploration/tableaux/nouveau' },
];

let browser: Browser;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

/** Heading levels of the main content that skip a level (an h2 followed by an h4). */
async function headingSkips(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    let previous = 1;
    for (const h of document.querySelectorAll<HTMLElement>('main h1, main h2, main h3, main h4, main h5, main h6')) {
      if (h.closest('[hidden], dialog:not([open])') || h.offsetParent === null) continue;
      const level = Number(h.tagName[1]);
      if (level > previous + 1) out.push(`h${previous} → h${level} « ${h.textContent?.trim().slice(0, 60)} »`);
      previous = level;
    }
    return out;
  });
}

async function check(page: Page, v: Visit, titles: Map<string, string>, problems: string[]) {
  if (process.env.E2E_VERBOSE) console.log(v.path, v.via ?? '');
  await page.goto(v.path);
  let before: string | undefined;
  for (const via of typeof v.via === 'string' ? [v.via] : (v.via ?? [])) {
    await settled(page, before);
    before = (await page.locator('main h1').textContent())?.replace(/\s+/g, ' ').trim();
    const from = new URL(page.url()).pathname;
    // `*x`: a link whose address contains x (`*/gestion`), else one whose address starts with it.
    const contains = via.startsWith('*');
    const needle = contains ? via.slice(1) : via;
    const link = page.locator(`main a[href${contains ? '*' : '^'}="${needle}"]`).first();
    await visible(link);
    await link.click();
    await page.waitForURL((u) => (contains ? u.pathname.includes(needle) : u.pathname.startsWith(needle)) && u.pathname !== from);
  }
  // A page without its own frame (no tab title, no breadcrumb) never settles: the test fails on it.
  try {
    await settled(page, before);
  } catch {
    problems.push(`${new URL(page.url()).pathname} : titre d’onglet ou fil d’Ariane absent ou différent du h1 (« ${await page.title()} »)`);
  }
  const where = new URL(page.url()).pathname;
  const h1s = await page.locator('main h1').allTextContents();
  if (h1s.length !== 1) problems.push(`${where} : ${h1s.length} h1 (${h1s.join(' | ')})`);
  if (v.h1 && !v.h1.test(h1s[0] ?? '')) problems.push(`${where} : h1 « ${h1s[0]} » ne correspond pas à ${v.h1}`);
  await page.waitForFunction(() => document.title.endsWith('— Patrimoine'));
  const title = await page.title();
  const seen = titles.get(title);
  if (seen && seen !== where) problems.push(`${where} : même titre que ${seen} (« ${title} »)`);
  titles.set(title, where);
  if (where !== '/') {
    const crumb = page.getByRole('navigation', { name: 'vous êtes ici :' });
    if (!(await crumb.getByRole('link', { name: 'Accueil' }).count())) problems.push(`${where} : pas de fil d’Ariane`);
  }
  for (const s of await headingSkips(page)) problems.push(`${where} : titres sautés ${s}`);
  for (const a of await axeViolations(page)) problems.push(`${where} : axe ${a}`);
}

describe('every page', () => {
  it('a visitor: each public page has its title, breadcrumb, h1, headings in order and no serious axe violation', async () => {
    const { page, errors } = await newPage(browser, { bypassCSP: true });
    const titles = new Map<string, string>();
    const problems: string[] = [];
    for (const v of PUBLIC) await check(page, v, titles, problems);
    expect(problems).toEqual([]);
    expect(unexpected(errors)).toEqual([]);
  }, 180_000);

  it('the administrator: each signed-in page likewise, and a refusal has its h1', async () => {
    const { page, errors } = await newPage(browser, { bypassCSP: true });
    await login(page, 'admin', adminPassword());
    const titles = new Map<string, string>();
    const problems: string[] = [];
    for (const v of ADMIN) await check(page, v, titles, problems);
    expect(problems).toEqual([]);
    expect(unexpected(errors)).toEqual([]);

    // A reader refused an administration page still reads where they are.
    const reader = await newPage(browser, { bypassCSP: true });
    await login(reader.page, 'agent', adminPassword());
    await reader.page.goto('/admin/utilisateurs');
    await visible(reader.page.getByRole('heading', { level: 1, name: 'Accès refusé' }));
    await reader.page.waitForFunction(() => document.title === 'Accès refusé — Patrimoine');
    await visible(reader.page.getByRole('navigation', { name: 'vous êtes ici :' }).getByRole('link', { name: 'Accueil' }));
  }, 400_000);
});
