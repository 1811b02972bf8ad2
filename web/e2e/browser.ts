import { createRequire } from 'node:module';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { inject } from 'vitest';

export const baseUrl = () => inject('baseUrl');
export const adminPassword = () => inject('adminPassword');

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export async function launch(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    // Playwright gives each launch a fresh, temporary profile (user data dir).
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** A page that records console errors and failed requests, so tests can assert there are none. */
export async function newPage(
  browser: Browser,
  options: { bypassCSP?: boolean; viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: baseUrl(), locale: 'fr-FR', ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

export async function login(page: Page, user: string, password: string) {
  await page.goto('/connexion');
  await page.getByLabel('Identifiant').fill(user);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).first().waitFor();
}

/** Errors a test may ignore: expected 4xx answers the page shows as messages. */
export function unexpected(errors: string[]): string[] {
  return errors.filter((e) => !/status of 4\d\d/.test(e));
}

/** Waits until the element is visible; fails the test with what was looked for otherwise. */
export async function visible(locator: Locator, timeout = 10_000): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`not visible within ${timeout} ms: ${locator.toString()}\n${await pageState(locator.page())}`);
  }
}

/**
 * Clicks an element once it has stopped moving on the page. Playwright checks that the element is
 * still for two frames, then clicks at its position; a layout that settles over several frames (DSFR's
 * tabs resizing after a tab change, on a loaded machine) can move it in between, and the click then
 * lands on what is under it instead. Here the element's place in the document (not in the viewport,
 * which Playwright scrolls) must be the same over 200 ms.
 */
export async function clickStill(locator: Locator, timeout = 10_000): Promise<void> {
  const target = locator.first();
  await target.waitFor({ state: 'visible', timeout });
  const place = () =>
    target.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return `${Math.round(r.left + scrollX)},${Math.round(r.top + scrollY)},${Math.round(r.width)},${Math.round(r.height)}`;
    });
  const end = Date.now() + timeout;
  let last = await place();
  let since = Date.now();
  while (Date.now() - since < 200) {
    if (Date.now() > end) throw new Error(`still moving after ${timeout} ms: ${locator.toString()}\n${await pageState(locator.page())}`);
    await new Promise((ok) => setTimeout(ok, 50));
    const now = await place();
    if (now !== last) [last, since] = [now, Date.now()];
  }
  await target.click({ timeout });
}

/** What the page showed when a wait failed: its URL, its fields' values, its alerts and the start of its text. */
async function pageState(page: Page): Promise<string> {
  try {
    return await page.evaluate(() => {
      const main = document.querySelector('main') ?? document.body;
      const fields = [...main.querySelectorAll('input, select, textarea')]
        .map((el) => {
          const f = el as HTMLInputElement;
          const label = f.labels?.[0]?.textContent?.replace(/\s+/g, ' ').trim() ?? f.name;
          return f.value && f.type !== 'password' ? `${label} = ${JSON.stringify(f.value)}` : '';
        })
        .filter(Boolean);
      const alerts = [...main.querySelectorAll('.fr-alert, [role="alert"], .fr-error-text, .fr-message--error')].map((a) =>
        a.textContent?.replace(/\s+/g, ' ').trim(),
      );
      const text = (main.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 600);
      return [
        `page: ${location.pathname}${location.search}`,
        `fields: ${fields.join(' ; ') || '—'}`,
        `alerts: ${alerts.join(' | ') || '—'}`,
        `text: ${text}`,
      ].join('\n');
    });
  } catch (e) {
    return `(page state unavailable: ${(e as Error).message})`;
  }
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * axe-core's serious and critical violations on the page (WCAG 2.1 A and AA rules), as `rule (n) : target`.
 * The page's context must bypass the Content-Security-Policy (`newPage(browser, { bypassCSP: true })`).
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown[] }[] }[] }> };
      }
    ).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.nodes.length}) : ${v.nodes
          .slice(0, 3)
          .map((n) => JSON.stringify(n.target))
          .join(' ')}`,
    );
}

/**
 * Waits until a page has loaded: its h1 is shown (and differs from `previousH1`, the page before), no
 * « Chargement… » remains, and its tab title and breadcrumb name it.
 */
export async function settled(page: Page, previousH1?: string): Promise<void> {
  await visible(page.locator('main h1'));
  await page.waitForFunction((previous) => {
    const main = document.querySelector('main');
    const h1 = main?.querySelector('h1')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
    if (!h1 || h1 === previous || /Chargement/.test(main?.textContent ?? '')) return false;
    // The page frame has caught up with the page: its tab title and the end of its breadcrumb name it.
    if (location.pathname === '/') return document.title === 'Accueil — Patrimoine';
    const current = document.querySelector('nav.fr-breadcrumb [aria-current="page"]')?.textContent?.trim();
    return document.title === `${h1} — Patrimoine` && current === h1;
  }, previousH1 ?? '');
}

/** Waits until the demo's explore resource whose title starts with `titlePrefix` is converted (a job after start). */
export async function exploreResourceReady(titlePrefix: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const r = (await (await fetch(`${baseUrl()}/api/explore/resources`)).json()) as { items: { resourceTitle: string; state: string }[] };
    if (r.items.some((x) => x.resourceTitle.startsWith(titlePrefix) && x.state === 'ready')) return;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  throw new Error(`the demo resource « ${titlePrefix}… » was never converted`);
}
