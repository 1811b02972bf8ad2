import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dictionaryPath, readTables, render, tableFiles } from '../../scripts/data-dictionary.ts';

describe('data dictionary', () => {
  const tables = readTables(tableFiles());

  it('describes every table and every column', () => {
    expect(tables.length).toBeGreaterThan(20);
    const missing = tables.flatMap((t) => [...(t.comment ? [] : [t.name]), ...t.columns.filter((c) => !c.comment).map((c) => `${t.name}.${c.name}`)]);
    expect(missing, 'comment these in their *.table.ts').toEqual([]);
  });

  it('is up to date in docs/data-dictionary.md (run: npx tsx scripts/data-dictionary.ts)', () => {
    expect(fs.readFileSync(dictionaryPath, 'utf8')).toBe(render(tables));
  });
});
