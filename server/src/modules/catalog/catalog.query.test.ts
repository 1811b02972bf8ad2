import { describe, expect, it } from 'vitest';
import { analyseQuery, atLeastTsQuery, buildSynonymIndex, choose, termTsQuery, weighted } from './catalog.query.ts';
import { strictPlan } from './catalog.repository.ts';

const none = buildSynonymIndex([]);
const synonyms = buildSynonymIndex([
  { terms: ['carte grise', "certificat d'immatriculation"] },
  { terms: ['RH', 'ressources humaines'] },
  { terms: ['jeu de données', 'données', 'dataset'] },
]);
const tsq = (q: string, s = none) => analyseQuery(q, s).map(termTsQuery);

describe('catalogue queries (ADR 0106)', () => {
  it('builds full-text queries of letters and digits only, the last word a prefix, stop words left out', () => {
    expect(strictPlan('Personnes décédées').tsquery).toBe('personnes & decedees:*');
    expect(strictPlan("a' | b:* & !x").tsquery).toBe('a & b & x:*');
    expect(strictPlan(' -- ').tsquery).toBeNull();
    expect(tsq('résultats des élections municipales')).toEqual(['resultats', 'elections', 'municipales:*']);
    expect(tsq("l'API & | ! (x)")).toEqual(['api', 'x:*']);
    // A query of stop words only keeps them (PostgreSQL then finds nothing rather than everything).
    expect(tsq('de la')).toEqual(['de', 'la:*']);
  });

  it('reads synonym expressions of the list, longest first, whatever the accents, case and stop words', () => {
    const terms = analyseQuery('Carte Grise volée', synonyms);
    expect(terms.map((t) => t.text)).toEqual(['carte grise', 'volée']);
    expect(terms[0]!.synonyms.map((s) => s.expression)).toEqual(["certificat d'immatriculation"]);
    expect(terms.map(termTsQuery)).toEqual(['((carte & grise) | (certificat & immatriculation))', 'volee:*']);
    expect(tsq('effectifs rh', synonyms)).toEqual(['effectifs', '(rh:* | (ressources & humaines))']);
    expect(tsq('certificat immatriculation', synonyms)).toEqual(['((certificat & immatriculation:*) | (carte & grise))']);
    expect(tsq('jeu de données décès', synonyms)).toEqual(['((jeu & donnees) | donnees | dataset)', 'deces:*']);
  });

  it('adds a correction as an alternative, never an unsafe one', () => {
    const [t] = analyseQuery('candylib', none);
    t!.correction = 'candilib';
    expect(termTsQuery(t!)).toBe('(candylib:* | candilib:*)');
    t!.correction = "a' | b";
    expect(termTsQuery(t!)).toBe('candylib:*');
  });

  it('relaxes to « at least m of the n terms », and restricts a query to one weight', () => {
    expect(atLeastTsQuery(['a', 'b', 'c:*'], 3)).toBe('a & b & c:*');
    expect(atLeastTsQuery(['a', 'b', 'c:*'], 2)).toBe('(a & b) | (a & c:*) | (b & c:*)');
    expect(atLeastTsQuery(['a', 'b', 'c:*'], 1)).toBe('a | b | c:*');
    expect(choose(8, 4)).toBe(70); // the most for 8 terms (MAX_TERMS): still tried
    expect(atLeastTsQuery(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], 4)).not.toBeNull();
    expect(atLeastTsQuery(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], 4)).toBeNull(); // 126 combinations
    expect(weighted('((carte & grise) | certificat:*)', 'A')).toBe('((carte:A & grise:A) | certificat:*A)');
  });
});
