import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frequencies } from '@patrimoine/contracts/catalog';
import { datagouvDocument, matchOrganisation } from './datagouv.ts';

const dir = join(import.meta.dirname, 'fixtures', 'udata');
const udataFrequencies = JSON.parse(readFileSync(join(dir, 'update-frequencies.json'), 'utf8')) as { frequencies: string[]; legacy: Record<string, string> };
const minimal = (extra: Record<string, unknown>) => ({ id: 'x1', title: 'Jeu', ...extra }) as Parameters<typeof datagouvDocument>[0];

describe('data.gouv.fr mapping', () => {
  it('knows every udata frequency, in udata’s order, and maps the legacy ids', () => {
    expect([...frequencies]).toEqual(udataFrequencies.frequencies);
    for (const f of udataFrequencies.frequencies) expect(datagouvDocument(minimal({ frequency: f }), 'jeu', 'DSR', null, []).spec!.frequency).toBe(f);
    for (const [legacy, f] of Object.entries(udataFrequencies.legacy))
      expect(datagouvDocument(minimal({ frequency: legacy }), 'jeu', 'DSR', null, []).spec!.frequency).toBe(f);
    expect(datagouvDocument(minimal({ frequency: 'sometimes' }), 'jeu', 'DSR', null, []).spec!.frequency).toBeUndefined();
  });

  it('maps the source organisation to ours by acronym or name, otherwise keeps it as the publisher', () => {
    const ours = [
      { code: 'DSR', name: 'Délégation à la sécurité routière' },
      { code: 'DNUM', name: 'Direction du numérique' },
    ];
    expect(matchOrganisation({ name: 'Sécurité routière', acronym: 'dsr' }, ours)).toBe('DSR');
    expect(matchOrganisation({ name: 'Direction du Numérique' }, ours)).toBe('DNUM');
    expect(matchOrganisation({ name: 'Santé publique France', acronym: 'SPF' }, ours)).toBeNull();
    const mapped = datagouvDocument(
      minimal({ organization: { id: 'o1', name: 'Direction du numérique', page: 'https://www.data.gouv.fr/fr/organizations/dnum/' } }),
      'jeu',
      'DSR',
      null,
      ours,
    );
    expect(mapped.owner).toBe('DNUM');
    expect(mapped.spec!.publisher).toEqual({ name: 'Direction du numérique', datagouvId: 'o1', url: 'https://www.data.gouv.fr/fr/organizations/dnum/' });
    const other = datagouvDocument(minimal({ organization: { id: 'o2', name: 'Santé publique France', acronym: 'SPF' } }), 'jeu', 'DSR', null, ours);
    expect(other.owner).toBe('DSR');
    expect(other.spec!.publisher).toEqual({ name: 'Santé publique France', acronym: 'SPF', datagouvId: 'o2' });
  });

  it('keeps a private, archived or deleted dataset closed, and restricted access closed', () => {
    expect(datagouvDocument(minimal({ private: true }), 'j', 'DSR', null, [])).toMatchObject({ openness: 'ferme', spec: { datagouvStatus: 'private' } });
    expect(datagouvDocument(minimal({ archived: '2024-03-01T10:00:00+00:00' }), 'j', 'DSR', null, [])).toMatchObject({
      openness: 'ferme',
      lifecycle: 'decommissionne',
      decommissionedOn: '2024-03-01',
      spec: { datagouvStatus: 'archived', archivedAt: '2024-03-01T10:00:00.000Z' },
    });
    expect(datagouvDocument(minimal({ deleted: '2024-05-02T00:00:00' }), 'j', 'DSR', null, [])).toMatchObject({
      openness: 'ferme',
      spec: { datagouvStatus: 'deleted' },
    });
    expect(datagouvDocument(minimal({ access_type: 'restricted' }), 'j', 'DSR', null, [])).toMatchObject({
      openness: 'ferme',
      spec: { accessType: 'restricted' },
    });
    expect(datagouvDocument(minimal({ private: false, archived: null }), 'j', 'DSR', null, []).openness).toBe('ouvert');
  });
});
