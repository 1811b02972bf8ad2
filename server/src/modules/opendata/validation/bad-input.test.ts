import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateFile } from './validate.ts';
import type { TableSchemaDescriptor } from './types.ts';
import { RELS, WORKBOOK, zipOf } from './zip-writer.test-helper.ts';

/** The issue's « Bad input » list: each case gets a clear French message naming the problem and the line. */
const dir = mkdtempSync(join(tmpdir(), 'opendata-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string | Buffer, ext = 'csv') => {
  const p = join(dir, `f${++n}.${ext}`);
  writeFileSync(p, content);
  return p;
};
const schema: TableSchemaDescriptor = {
  fields: [
    { name: 'id', type: 'integer', constraints: { required: true, unique: true } },
    { name: 'nom', type: 'string', constraints: { maxLength: 10 } },
    { name: 'date', type: 'date' },
    { name: 'siret', type: 'string' },
  ],
  primaryKey: 'id',
  custom_checks: [{ name: 'french-siret-value', params: { column: 'siret' } }],
};

describe('bad input', () => {
  it('empty file', async () => {
    const r = await validateFile(file(''), { schema });
    expect(r.valid).toBe(false);
    expect(r.errors[0]).toMatchObject({ type: 'source-error' });
    expect(r.errors[0]!.message).toMatch(/vide/);
  });

  it('no header (first line blank)', async () => {
    const r = await validateFile(file(';;;\r\n1;a;2024-01-01;\r\n'), { schema });
    expect(r.errors[0]!.message).toMatch(/première ligne.*en-tête/);
  });

  it('duplicate and blank headers', async () => {
    const dup = await validateFile(file('id;nom;nom\n1;a;b\n'), { schema });
    expect(dup.errors.map((e) => e.type)).toEqual(['duplicate-label']);
    expect(dup.errors[0]!.message).toMatch(/« nom ».*colonnes 2 et 3/);
    const blank = await validateFile(file('id;;date\n1;a;2024-01-01\n'), { schema });
    expect(blank.errors[0]).toMatchObject({ type: 'blank-label', fieldNumber: 2 });
    expect(blank.errors[0]!.message).toMatch(/colonne 2/);
  });

  it('ragged rows: extra and missing cells, on the right line', async () => {
    const r = await validateFile(file('id;nom;date;siret\n1;a;2024-01-01;73282932000074\n2;b\n3;c;2024-01-03;73282932000074;x\n'), { schema });
    expect(r.errors.map((e) => [e.type, e.rowNumber, e.fieldName])).toEqual([
      ['missing-cell', 3, 'date'],
      ['missing-cell', 3, 'siret'],
      ['extra-cell', 4, null],
    ]);
    expect(r.errors[0]!.message).toMatch(/ligne 3.*« date »/i);
  });

  it('types, constraints, uniqueness and SIRET check with French messages', async () => {
    const r = await validateFile(file('id;nom;date;siret\n1;Aline;2024-02-30;73282932000074\n1;Bernadette-Lou;2024-02-01;12345678901234\nx;c;;\n'), { schema });
    expect(r.errors.map((e) => [e.type, e.rowNumber, e.fieldName])).toEqual([
      ['type-error', 2, 'date'],
      ['unique-error', 3, 'id'],
      ['constraint-error', 3, 'nom'],
      ['primary-key', 3, null],
      ['french-siret-value', 3, 'siret'],
      ['type-error', 4, 'id'],
    ]);
    expect(r.errors[0]!.message).toBe("Ligne 2, colonne « date » : « 2024-02-30 » n'est pas une date au format AAAA-MM-JJ.");
    expect(r.errors[4]!.message).toMatch(/SIRET/);
  });

  it('wrong encoding: windows-1252 is detected; UTF-8 broken further down is reported near its line', async () => {
    const cp = await validateFile(file(Buffer.from('id;nom\n1;Rh\xf4ne\n', 'latin1')), {});
    expect(cp.encoding).toBe('windows-1252');
    expect(cp.valid).toBe(true);
    const big = Buffer.concat([Buffer.from('id;nom\n' + '1;Éloïse\n'.repeat(150_000), 'utf8'), Buffer.from('2;Rh\xf4ne\n', 'latin1')]);
    const r = await validateFile(file(big), {});
    expect(r.errors[0]!.type).toBe('encoding-error');
    expect(r.errors[0]!.message).toMatch(/UTF-8 vers la ligne \d+/);
  });

  it('unclosed quote names its line', async () => {
    const r = await validateFile(file('id;nom\n1;a\n2;"b\n3;c\n'), {});
    expect(r.errors[0]!.message).toMatch(/Guillemet ouvert à la ligne 3/);
  });

  it('a zip bomb is refused while inflating (10 KB → 10 MB)', async () => {
    const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>${' '.repeat(10 * 1024 * 1024)}</t></is></c></row></sheetData></worksheet>`;
    const bomb = zipOf({ 'xl/workbook.xml': WORKBOOK, 'xl/_rels/workbook.xml.rels': RELS, 'xl/worksheets/sheet1.xml': sheet });
    expect(bomb.length).toBeLessThan(20 * 1024);
    const r = await validateFile(file(bomb, 'xlsx'), {});
    expect(r.valid).toBe(false);
    expect(r.errors[0]!.message).toMatch(/bombe de décompression/);
  });

  it('an XLSX cut in the middle', async () => {
    const ok = zipOf({ 'xl/workbook.xml': WORKBOOK, 'xl/_rels/workbook.xml.rels': RELS, 'xl/worksheets/sheet1.xml': '<worksheet><sheetData/></worksheet>' });
    const r = await validateFile(file(ok.subarray(0, Math.floor(ok.length / 2)), 'xlsx'), {});
    expect(r.errors[0]!.message).toMatch(/tronqué|ZIP/);
  });

  it('reads ODS with repeated cells and rows', async () => {
    const content = `<?xml version="1.0"?><office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet><table:table table:name="F">
<table:table-row><table:table-cell office:value-type="string"><text:p>id</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>nom</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1000"/></table:table-row>
<table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>a &amp; b</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>`;
    const r = await validateFile(file(zipOf({ mimetype: 'application/vnd.oasis.opendocument.spreadsheet', 'content.xml': content }), 'ods'), {
      schema: { fields: [{ name: 'id', type: 'integer' }, { name: 'nom' }] },
    });
    expect(r.format).toBe('ods');
    expect(r.stats.rows).toBe(1);
    expect(r.valid).toBe(true);
  });

  it('stores at most maxErrors errors but counts them all', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `x${i};a;;`).join('\n');
    const r = await validateFile(file(`id;nom;date;siret\n${rows}\n`), { schema, maxErrors: 1000 });
    expect(r.errors.length).toBe(1000);
    expect(r.errorCounts['type-error']).toBe(3000);
    expect(r.stats.errors).toBe(3000);
    expect(r.truncated).toBe(true);
  });
});
