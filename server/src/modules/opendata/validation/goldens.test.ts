import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TableSchemaDescriptor } from './types.ts';
import { validateFile } from './validate.ts';

/** Every Validata golden (DITP Pilote capture, see __goldens__/README.md): same verdict, same (type, row, field). */
const root = join(import.meta.dirname, '__goldens__');
const goldens = readdirSync(join(root, '__goldens__')).filter((f) => f.endsWith('.golden.json'));

interface Golden {
  valid: boolean;
  erreurHttp?: number;
  errors: { type: string; rowNumber: number | null; fieldName: string | null }[];
}

describe('Validata goldens', () => {
  it('covers the whole corpus', () => {
    expect(goldens.length).toBe(121);
  });
  for (const file of goldens) {
    const m = /^(.+\.(?:csv|xlsx))\.(.+)\.golden\.json$/.exec(file)!;
    const [, fixture, schemaName] = m;
    it(`${fixture} × ${schemaName}`, async () => {
      const golden = JSON.parse(readFileSync(join(root, '__goldens__', file), 'utf8')) as Golden;
      const schema = JSON.parse(readFileSync(join(root, 'schema', `${schemaName}.json`), 'utf8')) as TableSchemaDescriptor;
      const report = await validateFile(join(root, '__fixtures__', fixture!), { schema, filename: fixture });
      expect(report.valid).toBe(golden.valid);
      if (golden.erreurHttp) {
        expect(report.errors.length).toBeGreaterThan(0);
        return;
      }
      expect(report.errors.map((e) => [e.type, e.rowNumber, e.fieldName])).toEqual(golden.errors.map((e) => [e.type, e.rowNumber, e.fieldName]));
      for (const e of report.errors) expect(e.message).toMatch(/[a-zé]/);
    });
  }
});
