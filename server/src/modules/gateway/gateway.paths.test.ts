import { describe, expect, it } from 'vitest';
import { normaliseSuffix, pathNeedsCheck } from './dataplane.ts';

/** Path traversal through the gateway (issue 10): what leaves the API's base path is refused. */
describe('gateway path normalisation', () => {
  it('checks only paths holding ., % or \\ before the query', () => {
    expect(pathNeedsCheck('/v1/communes/75056?x=../..')).toBe(false);
    expect(pathNeedsCheck('')).toBe(false);
    expect(pathNeedsCheck('/a/b.json')).toBe(true);
    expect(pathNeedsCheck('/a/%2e')).toBe(true);
    expect(pathNeedsCheck('/a\\b')).toBe(true);
  });

  it('refuses every spelling of a path that leaves the base', () => {
    for (const p of [
      '/..',
      '/../admin',
      '/a/../../admin',
      '/%2e%2e/admin',
      '/%2E%2e/admin',
      '/.%2e/admin',
      '/%2e./admin',
      '/..;/admin',
      '/..;jsessionid=1/admin',
      '/a/./../../admin?x=1',
      '/..%2fadmin',
      '/%2e%2e%2fadmin',
      '/a%5c..%5c..%5cadmin',
      '/..\\admin',
      '/a\\b',
      '/%252e%252e/admin',
      '/%c0%ae%c0%ae/admin',
    ])
      expect(normaliseSuffix(p), p).toBeNull();
  });

  it('removes dot segments that stay inside the base and keeps the query as sent', () => {
    expect(normaliseSuffix('/a/../b')).toBe('/b');
    expect(normaliseSuffix('/a/./b/')).toBe('/a/b/');
    expect(normaliseSuffix('/a/b/..')).toBe('/a/');
    expect(normaliseSuffix('/a/%2e%2e/b?q=../../x')).toBe('/b?q=../../x');
    expect(normaliseSuffix('/fichier.v2.json')).toBe('/fichier.v2.json');
    expect(normaliseSuffix('/recherche/100%25')).toBe('/recherche/100%25');
    expect(normaliseSuffix('?x=1')).toBe('?x=1');
    expect(normaliseSuffix('/.')).toBe('/');
  });
});
