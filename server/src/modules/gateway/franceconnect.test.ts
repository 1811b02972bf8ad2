import { describe, expect, it } from 'vitest';
import { decodePivot, encodePivot, parseFcApis } from './franceconnect.ts';

describe('APIs behind FranceConnect', () => {
  it('parses the APIs behind FranceConnect and their consent scopes', () => {
    expect([...parseFcApis('droit-a-conduire=openid identite_pivot droit_a_conduire;autre=openid')]).toEqual([
      ['droit-a-conduire', ['openid', 'identite_pivot', 'droit_a_conduire']],
      ['autre', ['openid']],
    ]);
    expect(() => parseFcApis('Droit=openid')).toThrow(/n’est pas de la forme/);
  });

  it('carries the identity pivot as ASCII and refuses an incomplete one', () => {
    const p = { given_name: 'Zoé Maëlle', family_name: 'LÉGER', birthdate: '2001-02-03', gender: 'female', birthplace: '97411', birthcountry: '99100' };
    const v = encodePivot(p);
    expect(v).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePivot(v)).toEqual(p);
    expect(decodePivot(Buffer.from(JSON.stringify({ given_name: 'x' })).toString('base64url'))).toBeNull();
    expect(decodePivot('%%%')).toBeNull();
  });
});
