import { describe, expect, it } from 'vitest';
import { SLUG_PATTERN, slugify } from './slug.ts';

describe('slugify', () => {
  it.each([
    ['Contrôle école', 'controle-ecole'],
    ['Cœur de données', 'coeur-de-donnees'],
    ["Système d'immatriculation des véhicules", 'systeme-dimmatriculation-des-vehicules'],
    ['L’État plateforme', 'letat-plateforme'],
    ['  Élections — résultats 2022 (T1) ', 'elections-resultats-2022-t1'],
    ['Ærodrome Straße', 'aerodrome-strasse'],
    ['ÎLE-DE-FRANCE', 'ile-de-france'],
    ['Pièces d’identité : CNI & passeports', 'pieces-didentite-cni-passeports'],
  ])('%s → %s', (name, slug) => {
    expect(slugify(name)).toBe(slug);
    expect(slug).toMatch(SLUG_PATTERN);
  });

  it('also folds decomposed accents (the form some keyboards and PDF copies produce)', () => {
    expect(slugify('Contro\u0302le e\u0301cole')).toBe('controle-ecole');
  });

  it('bounds the length without a trailing dash, and falls back when nothing is left', () => {
    expect(slugify('abc def', { maxLength: 4 })).toBe('abc');
    expect(slugify('!!!')).toBe('element');
    expect(slugify('—', { fallback: 'app' })).toBe('app');
  });
});
