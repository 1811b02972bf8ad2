import { describe, expect, it } from 'vitest';
import { analyseQuery, atLeastTsQuery, buildSynonymIndex, choose, termTsQuery, weighted, type Stems } from './catalog.query.ts';

const none = buildSynonymIndex([]);
const synonyms = buildSynonymIndex([
  { terms: ['carte grise', "certificat d'immatriculation"] },
  { terms: ['RH', 'ressources humaines'] },
  { terms: ['jeu de données', 'données', 'dataset'] },
]);
/** A stand-in for fr_unaccent's stems (the int tests use PostgreSQL's): the word cut at 5 letters. */
const stem: Stems = (w) => `'${w.slice(0, 5)}'`;
const tsq = (q: string, s = none) => analyseQuery(q, s).map((t) => termTsQuery(t, stem));

describe('catalogue queries (ADR 0106)', () => {
  it('builds full-text queries of letters and digits only: stems, the last word also a prefix as typed, stop words left out', () => {
    expect(tsq('Personnes décédées')).toEqual(["('perso')", "(('deced') | 'decedees':*)"]);
    expect(tsq("a' | b:* & !x")).toEqual(["('a')", "('b')", "(('x') | 'x':*)"]);
    expect(tsq(' -- ')).toEqual([]);
    expect(tsq('résultats des élections municipales')).toEqual(["('resul')", "('elect')", "(('munic') | 'municipales':*)"]);
    expect(tsq("l'API & | ! (x)")).toEqual(["('api')", "(('x') | 'x':*)"]);
    // A query of stop words only keeps them (PostgreSQL then finds nothing rather than everything).
    expect(analyseQuery('de la', none).map((t) => t.text)).toEqual(['de', 'la']);
    // A stop word has no stem: only the prefix remains for the last word.
    expect(analyseQuery('des', none).map((t) => termTsQuery(t, () => null))).toEqual(["'des':*"]);
  });

  it('reads synonym expressions of the list, longest first, whatever the accents, case and stop words', () => {
    const terms = analyseQuery('Carte Grise volée', synonyms);
    expect(terms.map((t) => t.text)).toEqual(['carte grise', 'volée']);
    expect(terms[0]!.synonyms.map((s) => s.expression)).toEqual(["certificat d'immatriculation"]);
    expect(terms.map((t) => termTsQuery(t, stem))).toEqual(["((('carte') & ('grise')) | (('certi') & ('immat')))", "(('volee') | 'volee':*)"]);
    expect(tsq('effectifs rh', synonyms)).toEqual(["('effec')", "((('rh') | 'rh':*) | (('resso') & ('humai')))"]);
    expect(tsq('certificat immatriculation', synonyms)).toEqual(["((('certi') & (('immat') | 'immatriculation':*)) | (('carte') & ('grise')))"]);
    expect(tsq('jeu de données décès', synonyms)).toEqual(["((('jeu') & ('donne')) | ('donne') | ('datas'))", "(('deces') | 'deces':*)"]);
  });

  it('adds a correction as an alternative, never an unsafe one', () => {
    const [t] = analyseQuery('candylib', none);
    t!.correction = 'candilib';
    expect(termTsQuery(t!, stem)).toBe("((('candy') | 'candylib':*) | (('candi') | 'candilib':*))");
    t!.correction = "a' | b";
    expect(termTsQuery(t!, stem)).toBe("(('candy') | 'candylib':*)");
  });

  it('relaxes to « at least m of the n terms », and restricts a query to one weight', () => {
    expect(atLeastTsQuery(['a', 'b', 'c:*'], 3)).toBe('a & b & c:*');
    expect(atLeastTsQuery(['a', 'b', 'c:*'], 2)).toBe('(a & b) | (a & c:*) | (b & c:*)');
    expect(atLeastTsQuery(['a', 'b', 'c:*'], 1)).toBe('a | b | c:*');
    expect(choose(8, 4)).toBe(70); // the most for 8 terms (MAX_TERMS): still tried
    expect(atLeastTsQuery(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], 4)).not.toBeNull();
    expect(atLeastTsQuery(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], 4)).toBeNull(); // 126 combinations
    expect(weighted("((('carte') & ('grise')) | 'certificat':*)", 'A')).toBe("((('carte':A) & ('grise':A)) | 'certificat':*A)");
  });
});
