import { describe, expect, it } from 'vitest';
import { fieldLabel } from './field-labels.ts';

describe('fieldLabel', () => {
  it('names a request field as the forms label it, without its location in the request', () => {
    expect(fieldLabel('body.slug')).toBe('Identifiant');
    expect(fieldLabel('slug')).toBe('Identifiant');
    expect(fieldLabel('body.contacts.1.email')).toBe('Courriel (contacts, n° 2)');
    expect(fieldLabel('body.tags.0')).toBe('Mots-clés (n° 1)');
    expect(fieldLabel('query.page')).toBe('page');
    expect(fieldLabel('body')).toBe('Message');
  });
});
