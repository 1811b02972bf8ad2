import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { quoteGuard } from './quote-guard.ts';

async function guard(input: string[], encoding: BufferEncoding = 'utf8') {
  const bad: [number, string][] = [];
  const out = await text(
    Readable.from(input.map((s) => Buffer.from(s, encoding))).pipe(quoteGuard((l, e) => bad.push([l, e]), encoding === 'latin1' ? 'latin1' : 'utf8')),
  );
  return { out, bad };
}

describe('quote guard of bulk files', () => {
  it('passes well-formed lines untouched, quoted separators included', async () => {
    const csv = 'nom;prenom\n"Dupont; fils";Jean\nMartin;"Anne ""Nanou"""\n';
    expect(await guard([csv])).toEqual({ out: csv, bad: [] });
  });

  it('empties a line whose quote is never closed, names it, and keeps the line numbers', async () => {
    const { out, bad } = await guard(['nom;prenom\nDupont;Jean\n"Durand;Paul\nMartin;Anne\n']);
    expect(out).toBe('nom;prenom\nDupont;Jean\n\nMartin;Anne\n');
    expect(bad).toEqual([[3, '"Durand;Paul']]);
  });

  it('works across chunk boundaries, on Latin-1, and on a last line without newline', async () => {
    const { out, bad } = await guard(['nom;pré', 'nom\nÉlo"ïse;', 'X\nZoé;Y'], 'latin1');
    expect(bad).toEqual([[2, 'Élo"ïse;X']]);
    expect(Buffer.from(out, 'utf8').length).toBeGreaterThan(0);
    expect(out.split('\n')).toHaveLength(3);
  });

  it('shows a UTF-8 excerpt as UTF-8, without a broken last character', async () => {
    const { bad } = await guard(['"' + 'é'.repeat(100) + '\n']);
    expect(bad[0]![1]).toBe('"' + 'é'.repeat(59));
  });
});
