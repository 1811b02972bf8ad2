import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { ANONYMOUS, SYSTEM } from '../../platform/auth/principal.ts';
import { NotFoundError, UnauthorizedError } from '../../platform/errors.ts';
import { assetInputSchema } from './catalog.model.ts';
import { createCatalogService, type CatalogService } from './catalog.service.ts';
import { createCatalogTransfer } from './catalog.transfer.ts';

let t: TestPlatform;
let service: CatalogService;
const input = (slug: string, extra: object = {}) => assetInputSchema.parse({ kind: 'dataset', slug, title: `Jeu ${slug}`, owner: 'DSR', ...extra });
const count = async () => (await t.ctx.database.query<{ n: number }>('select count(*)::int as n from catalog_assets'))[0]!.n;

beforeAll(async () => {
  t = await createTestPlatform();
  service = createCatalogService(t.ctx);
});
afterAll(async () => t?.teardown());

describe('callers: an anonymous visitor never takes the system’s path', () => {
  it('lets the system (demo, CLI) write and read everything, and refuses the same to an anonymous caller', async () => {
    await expect(service.create(input('anonyme'), ANONYMOUS)).rejects.toBeInstanceOf(UnauthorizedError);
    const created = await service.create(input('ferme-systeme', { openness: 'ferme' }), SYSTEM);
    expect(created).toMatchObject({ slug: 'ferme-systeme', updatedBy: 'system', version: 1 });
    expect(created.updatedAt).toBeInstanceOf(Date);

    // Reading: the system sees the closed asset; an anonymous visitor does not even learn that it exists.
    expect((await service.get('dataset', 'ferme-systeme', SYSTEM)).canEdit).toBe(true);
    await expect(service.get('dataset', 'ferme-systeme', ANONYMOUS)).rejects.toBeInstanceOf(NotFoundError);
    expect((await service.search({}, 1, 50, SYSTEM)).items.map((a) => a.slug)).toContain('ferme-systeme');
    expect((await service.search({}, 1, 50, ANONYMOUS)).items.map((a) => a.slug)).not.toContain('ferme-systeme');

    // Updating, relating, dashboards, export, import: the same split.
    const renamed = { ...input('ferme-systeme'), title: 'Jeu renommé' };
    await expect(service.update('dataset', 'ferme-systeme', renamed, ANONYMOUS)).rejects.toBeInstanceOf(NotFoundError);
    expect((await service.update('dataset', 'ferme-systeme', renamed, SYSTEM)).version).toBe(2);
    await expect(service.dashboard(undefined, ANONYMOUS)).rejects.toBeInstanceOf(UnauthorizedError);
    expect((await service.dashboard(undefined, SYSTEM)).byKind[0]).toMatchObject({ kind: 'dataset', n: 1 });
    const transfer = createCatalogTransfer(t.ctx, service);
    expect((await transfer.exportFile(ANONYMOUS)).assets).toEqual([]);
    expect((await transfer.exportFile(SYSTEM)).assets).toHaveLength(1);
    const file = JSON.stringify({ version: 1, assets: [{ kind: 'dataset', slug: 'par-import', title: 'Jeu importé' }] });
    await expect(transfer.importText(file, ANONYMOUS)).rejects.toThrow();
    expect((await transfer.importText(file, SYSTEM)).summary.created).toBe(1);

    // Deleting: refused to an anonymous caller even for a public asset it can read.
    await service.create(input('public', { openness: 'ouvert' }), SYSTEM);
    expect((await service.get('dataset', 'public', ANONYMOUS)).canEdit).toBe(false);
    await expect(service.remove('dataset', 'public', ANONYMOUS)).rejects.toBeInstanceOf(UnauthorizedError);
    await service.remove('dataset', 'public', SYSTEM);
    await service.remove('dataset', 'par-import', SYSTEM);
  });

  it('gives an unauthenticated HTTP request the anonymous caller, never the system', async () => {
    const before = await count();
    const post = await t.app.inject({ method: 'POST', url: '/api/catalog/assets', payload: { kind: 'dataset', slug: 'http-anonyme', title: 'Anonyme' } });
    expect(post.statusCode).toBe(401);
    expect((await t.app.inject('/api/catalog/assets/dataset/ferme-systeme')).statusCode).toBe(404);
    expect((await t.app.inject('/api/catalog/assets')).json().items).toEqual([]);
    expect((await t.app.inject('/api/catalog/export?format=json')).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/catalog/import', payload: { content: 'version: 1\nassets: []\n' } })).statusCode).toBe(401);
    expect((await t.app.inject('/catalog.ttl')).body).not.toContain('ferme-systeme');
    expect(await count()).toBe(before);
    // A signed-in reader sees it, and still cannot change it.
    const reader = (await t.tokenFor('reader')).token;
    expect((await t.app.inject({ url: '/api/catalog/assets/dataset/ferme-systeme', headers: bearer(reader) })).json().canEdit).toBe(false);
  });

  it('says why a caller may not edit an asset (the read-only view shows it), from the server’s own rule', async () => {
    const detail = async (token: string) => (await t.app.inject({ url: '/api/catalog/assets/dataset/ferme-systeme', headers: bearer(token) })).json();
    const reader = await detail((await t.tokenFor('reader')).token);
    expect(reader.editRefusal).toMatch(/^Votre rôle \(.+\) ne permet pas de modifier le catalogue/);
    const elsewhere = await detail((await t.tokenFor('editor', { organisationCode: 'DGEF' })).token);
    expect(elsewhere.canEdit).toBe(false);
    expect(elsewhere.editRefusal).toMatch(/^Cet actif appartient à .+ \(DSR\) : seuls ses éditeurs et administrateurs de données/);
    const owner = await detail((await t.tokenFor('editor', { organisationCode: 'DSR' })).token);
    expect(owner).toMatchObject({ canEdit: true, editRefusal: null });
    // The refusal matches what the server does on a write.
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/dataset/ferme-systeme',
      headers: bearer((await t.tokenFor('editor', { organisationCode: 'DGEF' })).token),
      payload: { kind: 'dataset', slug: 'ferme-systeme', title: 'Essai', owner: 'DSR' },
    });
    expect(put.statusCode).toBe(403);
  });
});

describe('demo content', () => {
  const seedDemo = async () => {
    for (const m of t.modules) if (m.name === 'catalog') await m.seedDemo!();
  };

  it('loads only into an empty catalogue, and a second start adds nothing', async () => {
    // A catalogue with real assets: the demo (run at every start when enabled) leaves it alone.
    expect(await count()).toBe(1);
    await seedDemo();
    expect(await count()).toBe(1);
    expect((await t.ctx.database.query<{ n: number }>('select count(*)::int as n from catalog_assets where is_demo'))[0]!.n).toBe(0);

    await t.ctx.db.execute(sql`delete from catalog_assets`);
    await seedDemo();
    const loaded = await count();
    expect(loaded).toBeGreaterThan(30);
    const versions = (await t.ctx.database.query<{ n: number }>('select count(*)::int as n from catalog_asset_versions'))[0]!.n;
    await seedDemo();
    expect(await count()).toBe(loaded);
    expect((await t.ctx.database.query<{ n: number }>('select count(*)::int as n from catalog_asset_versions'))[0]!.n).toBe(versions);
  });
});
