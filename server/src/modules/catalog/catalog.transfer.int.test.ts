import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { demoCatalogJson } from './index.ts';
import type { CatalogAssetChanged } from './index.ts';

let t: TestPlatform;
let admin: string;
let dsr: string;
const imp = (token: string, content: string, dryRun = false) =>
  t.app.inject({ method: 'POST', url: '/api/catalog/import', headers: bearer(token), payload: { content, dryRun } });
const exp = async (format = 'yaml') => (await t.app.inject({ url: `/api/catalog/export?format=${format}`, headers: bearer(admin) })).body;

beforeAll(async () => {
  t = await createTestPlatform();
  admin = (await t.tokenFor('admin')).token;
  dsr = (await t.tokenFor('data_admin', { organisationCode: 'DSR' })).token;
});
afterAll(async () => t?.teardown());

describe('catalogue import and export', () => {
  it('seeds the demo catalogue from the roadmap’s systems, flagged as demo, with their relations', async () => {
    const events: CatalogAssetChanged[] = [];
    t.ctx.events.on('catalog.asset.changed', async (p) => {
      events.push(p);
    });
    for (const m of t.modules) if (m.name === 'catalog') await m.seedDemo!();
    expect(events.length).toBeGreaterThan(30);
    const selfim = (await t.app.inject({ url: '/api/catalog/assets/application/selfim', headers: bearer(admin) })).json();
    expect(selfim.asset).toMatchObject({ owner: 'DNUM', isDemo: true });
    expect(selfim.relations.map((r: { to: string }) => r.to)).toContain('dataset:replique-siv');
    const deaths = (await t.app.inject({ url: '/api/catalog/assets/api/api-personnes-decedees', headers: bearer(admin) })).json();
    expect(deaths.relations.filter((r: { direction: string }) => r.direction === 'incoming').map((r: { from: string }) => r.from)).toEqual(
      expect.arrayContaining(['application:siv', 'application:erpc']),
    );
    // Decommissioning the deaths API would hit the SIV, ERPC, and what depends on the SIV.
    const impact = (await t.app.inject({ url: '/api/catalog/assets/dataset/fichier-deces-insee/impact', headers: bearer(admin) })).json();
    expect(impact.items.map((i: { ref: string }) => i.ref)).toEqual(
      expect.arrayContaining(['api:api-personnes-decedees', 'application:siv', 'application:erpc', 'application:histovec']),
    );
  });

  it('round-trips: export, import into an empty database, export is identical; re-import changes nothing', async () => {
    const yaml = await exp();
    expect(yaml).toContain('slug: selfim');
    const other = await createTestPlatform();
    try {
      const a2 = (await other.tokenFor('admin')).token;
      const r = await other.app.inject({ method: 'POST', url: '/api/catalog/import', headers: bearer(a2), payload: { content: yaml } });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().summary.created).toBeGreaterThan(30);
      const again = (await other.app.inject({ url: '/api/catalog/export?format=yaml', headers: bearer(a2) })).body;
      expect(again).toBe(yaml);
      const json = (await other.app.inject({ url: '/api/catalog/export?format=json', headers: bearer(a2) })).body;
      expect(json).toBe(await exp('json'));
    } finally {
      await other.teardown();
    }
    const re = (await imp(admin, yaml)).json();
    expect(re.summary).toMatchObject({ created: 0, updated: 0, relationsCreated: 0 });
  });

  it('dry-run reports the diff and writes nothing', async () => {
    const yaml = (await exp()).replace('title: Candilib\n', 'title: Candilib V2\n');
    const dry = (await imp(admin, yaml, true)).json();
    expect(dry.dryRun).toBe(true);
    expect(dry.summary.updated).toBe(1);
    expect(dry.diff).toContain('~ application:candilib');
    expect(dry.diff).toContain('"Candilib" → "Candilib V2"');
    expect((await t.services.catalog!.getAsset('application', 'candilib'))!.title).toBe('Candilib');
  });

  it('refuses a file with errors, all reported with their line, and changes nothing', async () => {
    const before = await exp();
    const bad = [
      'version: 1',
      'assets:',
      '  - kind: application',
      '    slug: nouvelle-appli',
      '    title: Nouvelle application',
      '  - kind: dataset',
      '    slug: jeu-casse',
      '    title: Jeu',
      '    spec:',
      '      frequency: sometimes',
      '  - kind: robot',
      '    slug: r2d2',
      '    title: Robot',
      'relations:',
      '  - type: produces',
      '    from: dataset:rna',
      '    to: application:siv',
    ].join('\n');
    const r = await imp(admin, bad);
    expect(r.statusCode).toBe(400);
    const msgs = r.json().errors.map((e: { message: string }) => e.message);
    expect(msgs.some((m: string) => m.startsWith('ligne 11'))).toBe(true); // unknown kind
    expect(r.json().detail).toMatch(/rien n’a été modifié/);
    // Shape is valid but rules fail: frequency (line 10), then the relation rule.
    const bad2 = bad.replace('  - kind: robot\n    slug: r2d2\n    title: Robot\n', '');
    const r2 = await imp(admin, bad2);
    expect(r2.statusCode).toBe(400);
    expect(r2.json().errors.map((e: { message: string }) => e.message.slice(0, 8))).toContain('ligne 10');
    const bad3 = bad2.replace('      frequency: sometimes\n', '      frequency: daily\n');
    const r3 = await imp(admin, bad3);
    expect(r3.statusCode).toBe(400);
    expect(r3.json().errors[0].message).toMatch(/^ligne 1[1-4] : /);
    expect(await exp()).toBe(before);
    expect(await t.services.catalog!.getAsset('application', 'nouvelle-appli')).toBeNull();
    const syntax = await imp(admin, 'assets:\n  - kind: [\n');
    expect(syntax.statusCode).toBe(400);
    expect(syntax.json().errors[0].field).toMatch(/^ligne \d/);
  });

  it('applies permissions to imports: a data_admin imports only their organisation’s assets', async () => {
    const mine = JSON.stringify({ assets: [{ kind: 'dataset', slug: 'radars', title: 'Radars', owner: 'DSR' }] });
    expect((await imp(dsr, mine)).statusCode).toBe(200);
    const theirs = JSON.stringify({
      assets: [
        { kind: 'dataset', slug: 'radars-2', title: 'Radars', owner: 'DSR' },
        { kind: 'dataset', slug: 'asile', title: 'Asile', owner: 'DGEF' },
      ],
    });
    const r = await imp(dsr, theirs);
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('assets.1');
    expect(await t.services.catalog!.getAsset('dataset', 'radars-2')).toBeNull();
  });
});

describe('demo content', () => {
  it('is a valid catalogue file', () => {
    const f = JSON.parse(demoCatalogJson());
    expect(f.assets.length).toBeGreaterThan(30);
    expect(new Set(f.assets.map((a: { kind: string }) => a.kind)).size).toBe(6);
  });
});
