import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { csvSafe, sendCsv } from './common.ts';

describe('csvSafe', () => {
  it('prefixes a quote to cells a spreadsheet would evaluate (OWASP)', () => {
    for (const v of ['=HYPERLINK("http://x")', '+1+cmd|x', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '=', '-', '+33 6 12 34 56 78']) expect(csvSafe(v)).toBe(`'${v}`);
  });
  it('leaves plain texts, numbers and numeric texts alone', () => {
    for (const v of ['Bonjour', 'a=b', ' =1', '', "'=déjà"]) expect(csvSafe(v)).toBe(v);
    for (const v of ['-12', '+3', '-3,5', '1e-3', '-0.25']) expect(csvSafe(v)).toBe(v);
    expect(csvSafe(-12)).toBe(-12);
    expect(csvSafe(null)).toBeNull();
  });
});

describe('sendCsv', () => {
  it('escapes every text cell, keeps numbers, dates and booleans', async () => {
    const app = Fastify();
    app.get('/x', (_req, reply) =>
      sendCsv(
        reply,
        'x.csv',
        [
          { key: 'title', header: 'titre' },
          { key: 'n', header: 'n' },
          { key: 'tags', header: 'tags' },
          { key: 'ok', header: 'ok' },
        ],
        [
          { title: '=HYPERLINK("http://x")', n: -5, tags: ['a'], ok: true },
          { title: '@cmd', n: 3.5, tags: null, ok: false },
          { title: '-1', n: 0, tags: null, ok: false },
        ],
      ),
    );
    const r = await app.inject('/x');
    const lines = r.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('titre;n;tags;ok');
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://x"")";-5;"[""a""]";oui`);
    expect(lines[2]).toBe(`'@cmd;3.5;;non`);
    expect(lines[3]).toBe('-1;0;;non');
    await app.close();
  });
});
