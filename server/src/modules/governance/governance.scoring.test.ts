import { describe, expect, it } from 'vitest';
import { quadrant, scoreProject } from './governance.scoring.ts';

const crit = [
  { id: 'a', axis: 'valeur' as const, weight: 30 },
  { id: 'b', axis: 'valeur' as const, weight: 10 },
  { id: 'c', axis: 'effort' as const, weight: 20 },
];

describe('value grid arithmetic', () => {
  it('weights each axis and brings it to 0–100', () => {
    expect(scoreProject(crit, { a: { score: 5 }, b: { score: 1 }, c: { score: 2 } })).toEqual({ value: 80, effort: 40 });
  });
  it('gives null for an axis without scores, and ignores unknown criteria', () => {
    expect(scoreProject(crit, { c: { score: 5 }, z: { score: 5 } })).toEqual({ value: null, effort: 100 });
  });
  it('places projects in the quadrants', () => {
    expect(quadrant(80, 20)).toBe('prioritaire');
    expect(quadrant(80, 70)).toBe('strategique');
    expect(quadrant(20, 20)).toBe('opportunite');
    expect(quadrant(20, 80)).toBe('a_eviter');
  });
});
