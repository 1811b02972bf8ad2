import { describe, expect, it } from 'vitest';
import { correctedTsQuery, prefixTsQuery } from './catalog.repository.ts';

describe('search queries', () => {
  it('builds a prefix full-text query of letters and digits only', () => {
    expect(prefixTsQuery('Personnes décédées')).toBe('personnes & décédées:*');
    expect(prefixTsQuery("a' | b:* & !c")).toBe('a & b & c:*');
    expect(prefixTsQuery(' -- ')).toBeNull();
  });

  it('adds corrections as alternatives, and ignores unsafe or identical ones', () => {
    expect(correctedTsQuery('registre asociations', [null, 'associations'])).toBe('registre & (asociations:* | associations:*)');
    expect(correctedTsQuery('Histovek immatriculaton', ['histovec', 'immatriculation'])).toBe('(histovek | histovec) & (immatriculaton:* | immatriculation:*)');
    expect(correctedTsQuery('décès', ['deces'])).toBe('décès:*'); // same word once accents are folded
    expect(correctedTsQuery('x', ["a' | b"])).toBe('x:*');
  });
});
