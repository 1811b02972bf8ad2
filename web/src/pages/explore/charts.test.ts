import { describe, expect, it } from 'vitest';
import departements from './maps/departements.json';
import regions from './maps/regions.json';
import { shape } from './charts';

describe('explore charts', () => {
  it('tells the grouping columns from the measures (builder m0…, else numeric columns)', () => {
    const col = (name: string, type: string) => ({ name, type, label: name });
    expect(shape({ columns: [col('annee', 'BIGINT'), col('m0', 'HUGEINT')], rows: [], truncated: false, sql: '' })).toEqual({ dims: [0], measures: [1] });
    expect(shape({ columns: [col('direction', 'VARCHAR'), col('total', 'DOUBLE')], rows: [], truncated: false, sql: '' })).toEqual({
      dims: [0],
      measures: [1],
    });
  });

  it('has every département (101, with 2A, 2B and the five DROM) and région (18) of the geo data', () => {
    const codes = departements.areas.map((a) => a.code);
    expect(codes.length).toBe(101);
    expect(codes).toEqual(expect.arrayContaining(['01', '2A', '2B', '971', '972', '973', '974', '976']));
    expect(regions.areas.length).toBe(18);
    expect(departements.attribution).toContain('IGN');
  });
});
