import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileSchema, diffData, isPdf, validSiret } from './blocks.ts';
import { allowedTransitions, target } from './machine.ts';
import { retryDelayMs, signBody } from './notify.ts';
import { openWithToken, sealWithToken } from './habilitations.service.ts';

describe('blocks', () => {
  const schema = compileSchema({
    blocks: ['organisation', 'personal_data', 'volumetrie', 'scopes', 'cgu'],
    scopes: [
      { value: 'a', included: true },
      { value: 'b', included: false },
    ],
  });
  it('checks SIRET with Luhn (and La Poste’s rule)', () => {
    expect(validSiret('21750001600019')).toBe(true);
    expect(validSiret('21750001600010')).toBe(false);
    expect(validSiret('35600000000001')).toBe(true);
    expect(validSiret('1234')).toBe(false);
  });
  it('needs a justification above 36 months and above the smallest volumetry tier', () => {
    const base = {
      siret: '21750001600019',
      raison_sociale: 'Ville',
      destinataire_donnees_caractere_personnel: 'x',
      scopes: ['a'],
      terms_of_service_accepted: true,
    };
    const fields = (d: Record<string, unknown>) => schema.check(d, 'submit').map((p) => p.field);
    expect(fields({ ...base, duree_conservation_donnees_caractere_personnel: 36, volumetrie_appels_par_minute: 50 })).toEqual([]);
    expect(fields({ ...base, duree_conservation_donnees_caractere_personnel: 37, volumetrie_appels_par_minute: 200 })).toEqual([
      'data.duree_conservation_donnees_caractere_personnel_justification',
      'data.volumetrie_justification',
    ]);
    expect(fields({ ...base, duree_conservation_donnees_caractere_personnel: 12, volumetrie_appels_par_minute: 75 })).toContain(
      'data.volumetrie_appels_par_minute',
    );
    expect(schema.check({ scopes: ['z'] }, 'draft')[0]).toMatchObject({ field: 'data.scopes' });
    expect(schema.normalise({ scopes: ['b'] }).scopes).toEqual(['a', 'b']);
  });
  it('recognises PDFs by their magic bytes; diffs submissions', () => {
    expect(isPdf(Buffer.from('%PDF-1.7'))).toBe(true);
    expect(isPdf(Buffer.from('GIF89a'))).toBe(false);
    expect(diffData({ a: 1, b: 2 }, { a: 1, b: 3, c: 'x' })).toEqual({ b: [2, 3], c: [null, 'x'] });
  });
});

describe('state machine', () => {
  const applicant = { applicant: true, intended: false, instructor: false };
  const instructor = { applicant: false, intended: false, instructor: true };
  it('gives each role its transitions, as DataPass', () => {
    expect(allowedTransitions('draft', false, applicant, true)).toEqual(['submit', 'archive']);
    expect(allowedTransitions('submitted', false, instructor, true)).toEqual(['request_changes', 'approve', 'refuse']);
    expect(allowedTransitions('submitted', false, applicant, true)).toEqual([]);
    expect(allowedTransitions('validated', false, applicant, true)).toEqual(['reopen']);
    expect(allowedTransitions('validated', false, instructor, true)).toEqual(['revoke']);
    expect(allowedTransitions('draft', true, applicant, true)).toEqual(['submit', 'cancel_reopening']);
    expect(allowedTransitions('draft', false, { applicant: false, intended: true, instructor: false }, false)).toEqual(['claim']);
    expect(target('refuse', true)).toBe('validated');
    expect(target('refuse', false)).toBe('refused');
  });
});

describe('webhooks and credentials', () => {
  it('signs like DataPass (sha256=<hex HMAC of the body>) and retries with growing delays', () => {
    const body = '{"event":"approve"}';
    expect(signBody('s3cret', body)).toBe(`sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
    const d = [1, 2, 3, 4, 5].map(retryDelayMs);
    expect(d).toEqual([...d].sort((a, b) => a - b));
    expect(d[0]).toBeLessThan(d[4]!);
  });
  it('seals a credential so that only the link’s token opens it', () => {
    const sealed = sealWithToken('token-1', '{"key":"pgw_x"}');
    expect(openWithToken('token-1', sealed)).toBe('{"key":"pgw_x"}');
    expect(() => openWithToken('token-2', sealed)).toThrow();
  });
});
