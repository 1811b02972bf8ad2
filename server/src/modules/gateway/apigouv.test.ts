import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GwApiDetail } from '@patrimoine/contracts/gateway';
import { apiGouvPage, checkApiGouvPage, demoteHeadings, openness } from './apigouv.ts';
import { API_GOUV_PRODUCERS } from './apigouv.routes.ts';

const dir = path.join(import.meta.dirname, 'fixtures', 'api-gouv');
const real = fs.readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
const producers = new Set(JSON.parse(fs.readFileSync(path.join(dir, 'producteurs.json'), 'utf8')) as string[]);

function api(over: Partial<GwApiDetail> = {}): GwApiDetail {
  const plan = {
    id: '00000000-0000-4000-8000-000000000001',
    slug: 'std',
    name: 'Standard',
    keyless: false,
    perSecond: 10,
    perMinute: null,
    perDay: 10000,
    perMonth: null,
    approval: 'auto' as const,
    scopes: ['permis:lecture'],
  };
  return {
    id: '00000000-0000-4000-8000-000000000002',
    slug: 'verifpermis',
    name: 'API Vérifpermis',
    description: 'Vérifiez la validité d’un permis de conduire. Réservée aux loueurs et aux employeurs.\n\n## Données\n\n- statut du permis\n# Titre',
    audience: 'Les loueurs de véhicules et les employeurs qui confient un véhicule.',
    visibility: 'public',
    upstreamUrl: 'https://x',
    upstreamUrls: [],
    timeoutMs: 1000,
    allowPrivateUpstream: false,
    requiredScope: null,
    failPolicy: 'open',
    maxBodyBytes: 1000,
    enabled: true,
    catalogAssetId: null,
    specVersion: 2,
    healthPath: '/',
    updatedAt: new Date('2026-11-05T10:00:00Z'),
    organisationCode: 'DSR',
    organisationName: 'Délégation à la sécurité routière',
    canManage: false,
    availability: 0.99874,
    plans: [plan],
    catalogAsset: null,
    probes: 100,
    incidents: [],
    specVersions: [],
    ...over,
  } as GwApiDetail;
}

describe('api.gouv.fr page format', () => {
  it('accepts the pages api.gouv.fr publishes', () => {
    expect(real.length).toBeGreaterThanOrEqual(4);
    for (const f of real) expect([f, checkApiGouvPage(fs.readFileSync(path.join(dir, f), 'utf8'), producers)]).toEqual([f, []]);
  });

  it('refuses what api.gouv.fr’s tests refuse, naming the field', () => {
    const geo = fs.readFileSync(path.join(dir, 'api-geo.md'), 'utf8');
    const fields = (t: string) => checkApiGouvPage(t, producers).map((e) => e.field);
    expect(fields(geo.replace(/^tagline:.*$/m, ''))).toEqual(['tagline']);
    expect(fields(geo.replace('producer: dinum', 'producer: inconnu'))).toEqual(['producer']);
    expect(fields(geo.replace('is_open: 1', 'is_open: 2'))).toEqual(['is_open']);
    expect(fields(geo.replace('is_open: 1', 'is_open: -1'))).toEqual(['access_page']);
    expect(fields(geo.replace('is_open: 1', 'is_open: 0'))).toEqual(['account_link']);
    expect(fields(geo.replace(/^themes:\n {2}- Géographie$/m, 'themes:\n  -'))).toEqual(['themes']);
    expect(fields(geo + '\n# Titre réservé\n')).toEqual(['body']);
    expect(fields(geo.replace(/^last_update: .*$/m, 'last_update: 2026-01-07'))).toEqual(['last_update']);
    expect(fields('title: sans en-tête')).toEqual(['front_matter']);
    expect(fields('---\ntitle: [\n---\n')).toEqual(['front_matter']);
  });

  it('says how open an API is as api.gouv.fr does: 1 open, 0 account, -1 habilitation', () => {
    const p = api().plans[0]!;
    expect(openness(api())).toBe(0);
    expect(openness(api({ plans: [{ ...p, keyless: true }] }))).toBe(1);
    expect(openness(api({ visibility: 'restricted' }))).toBe(-1);
    expect(openness(api({ plans: [{ ...p, approval: 'manual' }] }))).toBe(-1);
  });

  it('exports pages that pass the checks, in each kind of access', () => {
    const p = api().plans[0]!;
    const base = {
      producer: 'minint',
      publicUrl: 'https://patrimoine.interieur.gouv.fr',
      asset: { tags: ['permis de conduire', 'sécurité routière'], contacts: [{ role: 'contact_public', name: 'DSR', email: 'api-dsr@interieur.gouv.fr' }] },
    };
    for (const a of [
      api(),
      api({ plans: [{ ...p, keyless: true }] }),
      api({ visibility: 'restricted' }),
      api({ availability: null, specVersion: 0, plans: [] }),
    ]) {
      const text = apiGouvPage({ ...base, api: a });
      expect(checkApiGouvPage(text, producers)).toEqual([]);
    }
    const closed = apiGouvPage({
      ...base,
      api: api({ visibility: 'restricted' }),
      accessRequestUrl: 'https://patrimoine.interieur.gouv.fr/habilitations/verifpermis',
    });
    expect(closed).toContain('is_open: -1');
    expect(closed).toContain('datapass_link: https://patrimoine.interieur.gouv.fr/habilitations/verifpermis');
    expect(closed).toContain('Remplir une demande');
    const open = apiGouvPage({ ...base, api: api() });
    expect(open).toMatch(
      /^---\ntitle: API Vérifpermis\ntagline: Vérifiez la validité d’un permis de conduire\.\nproducer: minint\nis_open: 0\naccount_link: https:\/\/patrimoine\.interieur\.gouv\.fr\/api-portail\/verifpermis\n/,
    );
    expect(open).toContain('rate_limiting_resume: 10 appels / seconde / clé');
    expect(open).toContain('uptime: 99.87');
    expect(open).toContain('contact_link: api-dsr@interieur.gouv.fr');
    expect(open).toContain('doc_tech_link: https://patrimoine.interieur.gouv.fr/api/gateway/apis/verifpermis/openapi');
    expect(open).toContain('last_update: 05/11/2026');
    expect(open).toContain('  - permis de conduire');
    expect(open).not.toMatch(/\n#{1,2} /);
  });

  it('demotes level 1 and 2 titles, which api.gouv.fr reserves', () => {
    expect(demoteHeadings('# A\n## B\n### C\n#not')).toBe('### A\n### B\n### C\n#not');
  });

  it('ships the producer list of api.gouv.fr, the ministry included', () => {
    expect(API_GOUV_PRODUCERS.has('minint')).toBe(true);
    expect([...API_GOUV_PRODUCERS]).toEqual([...producers]);
  });
});
