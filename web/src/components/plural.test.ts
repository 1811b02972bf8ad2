import { describe, expect, it } from 'vitest';
import { plural, word } from './plural';

describe('plural', () => {
  it('writes French counts: 0 and 1 in the singular, regular and given plurals, French digits', () => {
    expect(plural(0, 'action')).toBe('0 action');
    expect(plural(1, 'action réalisée')).toBe('1 action réalisée');
    expect(plural(2, 'action réalisée')).toBe('2 actions réalisées');
    expect(plural(1, 'jeu de données', 'jeux de données')).toBe('1 jeu de données');
    expect(plural(3, 'jeu de données', 'jeux de données')).toBe('3 jeux de données');
    expect(plural(2, 'relation')).toBe('2 relations');
    expect(plural(12345, 'actif')).toBe(`12${'\u202f'}345 actifs`);
    expect(word(1, 'actif')).toBe('actif');
    expect(word(5, 'actif')).toBe('actifs');
  });
});
