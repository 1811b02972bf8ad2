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

describe('the local FranceConnect of the demo', () => {
  it('answers checktoken for its own tokens only, while they last', async () => {
    const { createDemoFranceConnect } = await import('./franceconnect-demo.ts');
    const { FixedClock } = await import('../../platform/clock.ts');
    const clock = new FixedClock(new Date('2026-06-01T10:00:00Z'));
    const fc = createDemoFranceConnect({ key: Buffer.alloc(32, 1), clock });
    const t = fc.issue('marie', ['openid', 'identite_pivot'], 60)!;
    expect(fc.check(t.accessToken)).toMatchObject({
      scope: ['openid', 'identite_pivot'],
      identity: { family_name: 'DUPONT', birthdate: '1985-04-12' },
      client: { client_id: 'fs-demo-patrimoine' },
      expires_in: 60,
    });
    expect(fc.issue('inconnu', ['openid'], 60)).toBeNull();
    // Another key's token, an altered payload or signature, garbage: unknown.
    const other = createDemoFranceConnect({ key: Buffer.alloc(32, 2), clock }).issue('marie', ['openid'], 60)!.accessToken;
    const [payload, sig] = t.accessToken.slice('fcdemo_'.length).split('.') as [string, string];
    const altered = `fcdemo_${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), s: ['openid', 'droit_a_conduire'] })).toString('base64url')}.${sig}`;
    for (const bad of [other, altered, `${t.accessToken.slice(0, -1)}${t.accessToken.endsWith('A') ? 'B' : 'A'}`, 'fcdemo_x.y', ''])
      expect(fc.check(bad)).toBeNull();
    clock.advance(61_000);
    expect(fc.check(t.accessToken)).toBeNull();
  });
});
