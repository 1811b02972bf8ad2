import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { adminPassword, axeViolations, clickStill, launch, login, newPage, settled, unexpected, visible } from './browser';

/**
 * What a person meets first (issue 11): errors brought into view on long forms, dark mode readable,
 * labelled export buttons, French counts, a phone-sized catalogue and relations graph.
 */
const R = '/feuille-de-route/dac-2021-2023';
let browser: Browser;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

/** Whether the element lies inside the visible part of the page. */
async function inViewport(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight && r.height > 0;
  });
}

/** The accessible name of the focused element's label (the field the person is taken to). */
async function focusedLabel(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null;
    if (!el) return '';
    const byFor = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
    return (byFor ?? el.closest('label'))?.textContent?.trim() ?? el.getAttribute('aria-label') ?? el.tagName;
  });
}

describe('errors in view', () => {
  it('an empty new asset submitted from the bottom of the long form: taken to the first field in error, messages in French with the fields named', async () => {
    const { page, errors } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
    await login(page, 'admin', adminPassword());
    await page.goto('/catalogue/nouveau');
    await settled(page);
    const form = page.getByRole('form', { name: 'Créer un actif' });
    const submit = form.getByRole('button', { name: 'Créer l’actif' });
    await submit.scrollIntoViewIfNeeded();
    expect(await inViewport(page.getByRole('heading', { level: 1 }))).toBe(false);
    await submit.click();
    const summary = form.getByRole('alert').filter({ hasText: /Le formulaire contient/ });
    await visible(summary);
    // The first field in error has the focus, on screen; its message is beside it.
    await page.waitForFunction(() => document.activeElement?.tagName === 'INPUT');
    expect(await focusedLabel(page)).toMatch(/^Titre/);
    expect(await page.evaluate(() => document.activeElement!.getBoundingClientRect().top)).toBeGreaterThanOrEqual(0);
    expect(await inViewport(page.locator(':focus'))).toBe(true);
    await visible(form.locator('.fr-input-group--error', { has: page.getByLabel('Titre', { exact: true }) }).locator('.fr-message--error'));
    // The summary names the fields as the form does, never by their path in the request.
    await visible(summary.getByRole('link', { name: 'Titre' }));
    await visible(summary.getByRole('link', { name: 'Identifiant' }));
    expect(await page.locator('main').textContent()).not.toMatch(/body\.|Too small|expected/);
    // A summary's link takes the person to its field.
    await summary.getByRole('link', { name: 'Identifiant' }).click();
    expect(await focusedLabel(page)).toMatch(/^Identifiant/);
    expect(unexpected(errors)).toEqual([]);
  });

  it('an asset edit refused by the server on a field: the field is brought into view from the save button', async () => {
    const { page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
    await login(page, 'admin', adminPassword());
    await page.goto('/catalogue/application/histovec/modifier');
    await settled(page);
    const form = page.getByRole('form', { name: 'Modifier l’actif' });
    await form.getByLabel('Titre', { exact: true }).fill('');
    const save = form.getByRole('button', { name: 'Enregistrer' });
    await save.scrollIntoViewIfNeeded();
    await save.click();
    await visible(form.getByRole('alert').filter({ hasText: /Le formulaire contient une erreur/ }));
    await page.waitForFunction(() => document.activeElement?.tagName === 'INPUT');
    expect(await focusedLabel(page)).toMatch(/^Titre/);
    expect(await inViewport(page.locator(':focus'))).toBe(true);
  });

  it('« Modifier » on a lower row of the openings: the form opens in view with the focus in it, and « Annuler » returns to the row', async () => {
    const { page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
    await login(page, 'admin', adminPassword());
    await page.goto(`${R}/ouvertures`);
    await settled(page);
    const buttons = page.getByRole('button', { name: 'Modifier', exact: true });
    await visible(buttons.first());
    const last = buttons.last();
    await last.scrollIntoViewIfNeeded();
    const title = (await last.getAttribute('title'))!.replace(/^Modifier /, '');
    await last.click();
    const form = page.getByRole('form', { name: `Modifier l’ouverture ${title}` });
    await visible(form);
    await page.waitForFunction(() => document.activeElement?.tagName === 'SELECT');
    expect(await focusedLabel(page)).toBe('Statut');
    expect(await inViewport(page.locator(':focus'))).toBe(true);
    await form.getByRole('button', { name: 'Annuler' }).click();
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset.openingEdit !== undefined);
    expect(await inViewport(page.locator(':focus'))).toBe(true);
  });
});

/** Contrast ratio (WCAG) of each chart text and figure of the main content against what is behind it; those below `min`. */
async function lowContrast(page: Page, min = 4.5): Promise<{ checked: number; low: string[] }> {
  return page.evaluate((min) => {
    const rgb = (c: string): [number, number, number, number] | null => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1]!
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element): [number, number, number, number] => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c && c[3] > 0.5) return c;
      }
      return rgb(getComputedStyle(document.body).backgroundColor) ?? [255, 255, 255, 1];
    };
    const out: string[] = [];
    let checked = 0;
    const targets = [
      ...document.querySelectorAll<SVGTextElement>('main svg text'),
      ...document.querySelectorAll<HTMLElement>('main [data-kpi], main [data-figure]'),
    ];
    for (const el of targets) {
      if (!el.textContent?.trim() || el.closest('details:not([open])')) continue;
      checked++;
      const style = getComputedStyle(el);
      const fg = rgb(el instanceof SVGElement ? style.fill : style.color);
      if (!fg) {
        out.push(`« ${el.textContent.trim().slice(0, 30)} » : couleur illisible (${style.fill})`);
        continue;
      }
      const bg = background(el instanceof SVGElement ? (el.ownerSVGElement ?? el) : el);
      const [a, b] = [lum(fg), lum(bg)];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < min)
        out.push(
          `« ${el.textContent.trim().slice(0, 30)} » : contraste ${ratio.toFixed(2)} (${style.fill || style.color} sur rgb(${bg.slice(0, 3).join(',')}))`,
        );
    }
    return { checked, low: out };
  }, min);
}

describe('dark mode', () => {
  it('switched on in the display settings: chart labels, legends and figures stay readable, as in the light theme', async () => {
    const { page, errors } = await newPage(browser, { bypassCSP: true });
    await login(page, 'admin', adminPassword());
    // Each page with what shows its charts and figures have loaded.
    const pages: [string, string][] = [
      [`${R}/tableau-de-bord`, 'main svg text'],
      [`${R}/tableau-de-bord`, 'main [data-kpi]'],
      ['/catalogue/tableau-de-bord', 'main [data-figure]'],
      ['/catalogue/tableau-de-bord', 'main svg text'],
      ['/transparence/feuille-de-route', 'main svg text'],
      ['/deces/statistiques', 'main svg text'],
      ['/gouvernance/reseau', 'main svg text'],
    ];
    const check = async (theme: string) => {
      const problems: string[] = [];
      for (const [p, loaded] of pages) {
        await page.goto(p);
        await settled(page);
        try {
          await visible(page.locator(loaded));
        } catch {
          problems.push(`${p} (${theme}) : ${loaded} absent`);
          if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/dark-${p.replace(/\W+/g, '-')}.png`, fullPage: true });
          continue;
        }
        expect(await page.evaluate(() => document.documentElement.getAttribute('data-fr-theme'))).toBe(theme);
        const { checked, low } = await lowContrast(page);
        if (checked === 0) problems.push(`${p} : aucun texte de graphique ni chiffre trouvé`);
        problems.push(...low.map((l) => `${p} (${theme}) : ${l}`));
        if (theme === 'dark') problems.push(...(await axeViolations(page)).filter((v) => v.startsWith('color-contrast')).map((v) => `${p} : ${v}`));
      }
      return problems;
    };
    // Light theme first: the same checks hold.
    expect(await check('light')).toEqual([]);
    await page
      .locator('footer')
      .getByRole('button', { name: /Paramètres d.affichage/ })
      .click();
    await page.getByText('Thème sombre').click();
    await page.waitForFunction(() => document.documentElement.getAttribute('data-fr-theme') === 'dark');
    await page.keyboard.press('Escape');
    expect(await check('dark')).toEqual([]);
    expect(unexpected(errors)).toEqual([]);
  }, 120_000);
});

describe('import page and counts', () => {
  it('the export buttons read what they do; counts are in French', async () => {
    const { page } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    await page.goto('/catalogue/import');
    await settled(page);
    for (const name of ['Exporter en YAML', 'Exporter en JSON', 'Liste des actifs en CSV']) {
      const link = page.getByRole('link', { name });
      await visible(link);
      // The words are on screen, not only in the accessible name: the button is wider than its icon.
      expect(await link.evaluate((el) => (el as HTMLElement).innerText.trim())).toBe(name);
      expect((await link.boundingBox())!.width).toBeGreaterThan(100);
    }
    await page.goto(`${R}/tableau-de-bord`);
    await settled(page);
    const figures = await page.getByRole('list', { name: 'Chiffres clés' }).textContent();
    expect(figures).not.toMatch(/\b1 réalisées|\b1 actions\b|\b0 réalisées/);
    // The home page counts nothing of its own that the roadmap would contradict.
    await page.goto('/');
    expect(await page.locator('main').textContent()).not.toMatch(/66 actions/);
  });
});

describe('on a phone (390 px)', () => {
  it('the catalogue shows its first result on the first screen, filters behind a button', async () => {
    const { page, errors } = await newPage(browser, { viewport: { width: 390, height: 844 } });
    await page.goto('/catalogue');
    await settled(page);
    const first = page.locator('main ul.fr-raw-list h2 a').first();
    await visible(first);
    expect(await inViewport(first)).toBe(true);
    const filters = page.getByRole('button', { name: 'Filtres', exact: true });
    expect(await filters.getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator('#catalog-filters').isVisible()).toBe(false);
    await filters.click();
    const kind = page.locator('#catalog-filters fieldset').first();
    await visible(kind);
    await kind.locator('label').first().click();
    await page.waitForURL(/[?&]kind=/);
    await visible(page.getByRole('button', { name: 'Masquer les filtres' }));
    expect(unexpected(errors)).toEqual([]);
  });

  it('the relations graph reads as a list of relations, with the drawing on request', async () => {
    const { page } = await newPage(browser);
    await login(page, 'admin', adminPassword());
    // (signed in on a wide screen: on a phone the sign-out button is in the folded menu)
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/catalogue/application/histovec');
    await settled(page);
    await page.getByRole('tab', { name: 'Graphe' }).click();
    const list = page.getByRole('region', { name: 'Relations du voisinage' });
    await visible(list.getByRole('heading', { name: 'Relations directes' }));
    await visible(list.getByRole('link', { name: 'Histovec' }));
    expect(await page.getByTestId('graph-node').count()).toBe(0);
    // (DSFR's tabs settle over several frames after a tab change: on a loaded machine a plain click
    // could land on the panel where the button was a frame earlier)
    await clickStill(page.getByRole('button', { name: 'Afficher le graphe' }));
    await visible(page.getByTestId('graph-node'));
  });
});
