import { describe, expect, it } from 'vitest';
import departements from './maps/departements.json';
import regions from './maps/regions.json';
import fs from 'node:fs';
import path from 'node:path';
import merged from './maps/communes-merged.json';
import { combineCommunes, communeCode, departementOf, shape } from './charts';

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

  it('has the communes of every département in its own file (COG 2026 codes), and every merged 2018 code points at one of them', () => {
    const dir = path.join(import.meta.dirname, 'maps/communes');
    const files = fs.readdirSync(dir);
    expect(files.length).toBe(101);
    const all = new Set<string>();
    let largest = 0;
    for (const f of files) {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { departement: string; areas: { code: string; d: string }[] };
      expect(`${doc.departement}.json`).toBe(f);
      for (const a of doc.areas) {
        expect(departementOf(a.code)).toBe(doc.departement);
        expect(a.d).toMatch(/^m-?\d/);
        all.add(a.code);
      }
      largest = Math.max(largest, fs.statSync(path.join(dir, f)).size);
    }
    // Metropolitan France and the five DROM, COG 2026 (34 868 polygons, 94 COM communes excluded).
    expect(all.size).toBeGreaterThan(34_700);
    expect(all.has('75056')).toBe(true);
    expect(all.has('2A004')).toBe(true);
    // A lazy chunk per département stays small (Pas-de-Calais, the largest, is about 140 KB).
    expect(largest).toBeLessThan(200_000);
    const pairs = Object.entries(merged as Record<string, string>);
    expect(pairs.length).toBe(493);
    for (const [old, today] of pairs) {
      expect(all.has(old)).toBe(false);
      expect(all.has(today)).toBe(true);
    }
    expect((merged as Record<string, string>)['01039']).toBe('01138');
  });

  it('reads commune codes as INSEE writes them', () => {
    expect(communeCode(' 1001 ')).toBe('01001');
    expect(communeCode('2a004')).toBe('2A004');
    expect(departementOf('97411')).toBe('974');
    expect(departementOf('2B033')).toBe('2B');
  });

  it('combines the rows of merged communes only where the measure allows it (sums, counts, min, max)', () => {
    const m = merged as Record<string, string>;
    // 14002 and 14013 merged into 14150 (COG 2026); 14118 is a commune of its own.
    expect([m['14002'], m['14013'], m['14150']]).toEqual(['14150', '14150', undefined]);
    const rows = [
      ['14002', 10],
      ['14013', 30],
      ['14150', 5],
      ['14118', 7],
    ];
    const sum = combineCommunes(rows, 0, 1, 'sum', m);
    expect(Object.fromEntries(sum.values)).toEqual({ '14150': 45, '14118': 7 });
    expect([sum.merges, sum.mixed.size, sum.combine]).toEqual([2, 0, 'sum']);
    expect(combineCommunes(rows, 0, 1, 'count', m).values.get('14150')).toBe(45);
    expect(combineCommunes(rows, 0, 1, 'max', m).values.get('14150')).toBe(30);
    expect(combineCommunes(rows, 0, 1, 'min', m).values.get('14150')).toBe(5);
    for (const fn of ['avg', 'median', 'p25', 'p75', 'p90', 'count_distinct', undefined] as const) {
      const r = combineCommunes(rows, 0, 1, fn, m);
      expect([fn, r.values.has('14150'), [...r.mixed], r.values.get('14118'), r.combine]).toEqual([fn, false, ['14150'], 7, 'none']);
    }
    // An old code alone (no other row on its commune of today) keeps its value, whatever the measure.
    expect(Object.fromEntries(combineCommunes([['14002', 3.5]], 0, 1, 'avg', m).values)).toEqual({ '14150': 3.5 });
  });
});
