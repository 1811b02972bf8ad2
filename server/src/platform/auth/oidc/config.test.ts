import { describe, expect, it } from 'vitest';
import { proconnectErrorMessage } from '@patrimoine/contracts/federation';
import { parseAcrPolicy } from './config.ts';
import { safeReturnTo } from './oidc.service.ts';
import { acrSatisfies } from '../auth.service.ts';

describe('ProConnect configuration', () => {
  it('parses the acr policy and refuses a mistyped one', () => {
    expect(parseAcrPolicy('admin=eidas1-mfa|eidas2 ; instructor = eidas2|eidas3;')).toEqual({
      admin: ['eidas1-mfa', 'eidas2'],
      instructor: ['eidas2', 'eidas3'],
    });
    expect(() => parseAcrPolicy('admin:eidas2')).toThrow(/rôle=acr/);
    expect(() => parseAcrPolicy('admin=eidas 2')).toThrow(/invalides/);
  });

  it('checks an acr against the policy of a role; a role absent from it accepts any', () => {
    const policy = parseAcrPolicy('admin=eidas1-mfa|eidas2');
    expect(acrSatisfies(policy, 'admin', 'eidas1')).toBe(false);
    expect(acrSatisfies(policy, 'admin', null)).toBe(false);
    expect(acrSatisfies(policy, 'admin', 'eidas2')).toBe(true);
    expect(acrSatisfies(policy, 'editor', null)).toBe(true);
  });

  it('only returns to a path of Patrimoine after sign-in', () => {
    expect(safeReturnTo('/catalogue?q=x')).toBe('/catalogue?q=x');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', '', null, '/a b']) expect(safeReturnTo(bad)).toBe('/');
  });

  it('explains provider errors in French, with a fallback for unknown codes', () => {
    expect(proconnectErrorMessage('access_denied')).toMatch(/refusé/);
    expect(proconnectErrorMessage('Y000400')).toMatch(/paramètre invalide/);
    expect(proconnectErrorMessage('quelque_chose')).toMatch(/a échoué/);
  });
});
