import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { baseUrl, launch, unexpected, visible } from './browser';

/** The pages a State site owes (RGAA, RGPD, DSFR), reached from the footer as a visitor would (issue 11). */
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let browser: Browser;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => close?.());

/** axe-core's serious and critical violations on the page (WCAG 2.1 A and AA rules). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }
    ).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
}

describe('accessibility, legal notice, personal data, site map', () => {
  it('a visitor reaches each page from the footer: its own title, a breadcrumb, one h1, no serious axe violation', async () => {
    // axe is injected as a script: the test's browser context bypasses the site's Content-Security-Policy for it.
    const context = await browser.newContext({ baseURL: baseUrl(), locale: 'fr-FR', bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto('/');
    const titles = new Set<string>();
    for (const [link, heading] of [
      ['Accessibilité : partiellement conforme', 'Accessibilité'],
      ['Mentions légales', 'Mentions légales'],
      ['Données personnelles', 'Données personnelles'],
      ['Plan du site', 'Plan du site'],
    ] as const) {
      await page.locator('footer').getByRole('link', { name: link }).click();
      await visible(page.getByRole('heading', { level: 1, name: heading }));
      // (the display settings dialog, hidden, has its own h1)
      expect(await page.locator('main h1').allTextContents()).toEqual([heading]);
      await visible(page.getByRole('navigation', { name: 'vous êtes ici :' }).getByRole('link', { name: 'Accueil' }));
      await page.waitForFunction((h) => document.title.startsWith(h), heading);
      titles.add(await page.title());
      expect(await axeViolations(page)).toEqual([]);
    }
    expect(titles.size).toBe(4);
    // What the declaration and the personal data page must say.
    await page.goto('/accessibilite');
    await visible(page.getByText(/partiellement conforme/).first());
    await visible(page.getByRole('heading', { level: 2, name: 'Voies de recours' }));
    await page.goto('/donnees-personnelles');
    await visible(page.getByRole('table', { name: 'Traitements de données personnelles' }));
    await visible(page.getByRole('heading', { level: 2, name: 'Vos droits' }));
    // The site map links to the modules a visitor may open.
    await page.goto('/plan-du-site');
    await page.getByRole('main').getByRole('link', { name: 'Mentions légales' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Mentions légales' }));
    expect(unexpected(errors)).toEqual([]);
  });
});
