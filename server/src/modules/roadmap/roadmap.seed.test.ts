import { describe, expect, it } from 'vitest';
import { ministryOrganisations } from '../../platform/organisations/organisations.seed.ts';
import { loadReferenceSeed, openingTypeOf, parseSeed, resolveContributors } from './roadmap.seed.ts';

const codes = new Set(ministryOrganisations.map((o) => o.code));

describe('reference roadmap seed', () => {
  const seed = parseSeed(loadReferenceSeed(), codes);

  it('has the 66 actions, the 3 sub-actions of A09 and the 30 openings', () => {
    const top = seed.actions.filter((a) => !a.parentCode);
    expect(top).toHaveLength(66);
    expect(top[0]!.code).toBe('A01');
    expect(top.at(-1)!.code).toBe('A66');
    expect(seed.actions.filter((a) => a.parentCode === 'A09').map((a) => a.code)).toEqual(['A09-1', 'A09-2', 'A09-3']);
    expect(seed.openings).toHaveLength(30);
  });

  it('keeps A10’s two deadlines and the notes on A10, A41 and A57', () => {
    const a10 = seed.actions.find((a) => a.code === 'A10')!;
    expect([a10.deadline, a10.deadlineEnd]).toEqual(['2021-S2', '2022-S2']);
    expect(a10.organisationCodes).toEqual(['DSR']);
    expect(seed.actions.find((a) => a.code === 'A41')!.sourceNote).toMatch(/annexe/);
    expect(seed.actions.find((a) => a.code === 'A57')!.sourceNote).toMatch(/2021 S1/);
    expect(seed.actions.filter((a) => a.sourceNote).map((a) => a.code)).toEqual(['A10', 'A41', 'A57']);
  });

  it('links contributors to organisations and keeps collective ones as text', () => {
    const a03 = seed.actions.find((a) => a.code === 'A03')!;
    expect(a03.organisationCodes).toEqual(['SGAR']);
    expect(a03.collectiveContributors).toEqual(['DR INSEE', 'services statistiques du ministère']);
    const a09 = seed.actions.find((a) => a.code === 'A09')!;
    expect(a09.organisationCodes).toEqual(['DGPN', 'DGGN', 'SSMSI', 'DGSCGC']);
    expect(seed.actions.find((a) => a.code === 'A41')!.organisationCodes).toEqual(['DNUM']);
    expect(seed.actions.find((a) => a.code === 'A41')!.collectiveContributors).toEqual([]);
    expect(seed.actions.find((a) => a.code === 'A44')!.organisationCodes).toEqual(['DNUM', 'SG', 'DRH']);
    expect(seed.actions.find((a) => a.code === 'A09-1')!.organisationCodes).toEqual(['DGPN', 'DGGN', 'SSMSI']);
    expect(resolveContributors(['toutes directions métiers', 'DNUM'], codes)).toEqual({
      organisationCodes: ['DNUM'],
      collective: ['toutes directions métiers'],
    });
    // Every action names at least one contributor, every code is a known organisation.
    for (const a of seed.actions) {
      expect(a.organisationCodes.length + a.collectiveContributors.length).toBeGreaterThan(0);
      for (const c of a.organisationCodes) expect(codes.has(c)).toBe(true);
    }
  });

  it('normalises the openings: due quarter, status, type', () => {
    expect(seed.openings[0]).toMatchObject({ due: '2022-T1', status: 'planifie', type: 'jeu_de_donnees' });
    expect(seed.openings.filter((o) => o.status === 'disponible').map((o) => o.title)).toHaveLength(2);
    expect(seed.openings.filter((o) => o.type === 'api').map((o) => o.title)).toEqual([
      'API Droit à conduire (permis de conduire)',
      "API Certificat d'immatriculation",
      "API Historique d'un véhicule",
    ]);
    expect(openingTypeOf('Code source de l’application X')).toBe('code_source');
  });
});
