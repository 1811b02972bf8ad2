import { describe, expect, it } from 'vitest';
import { inputProblems, MAX_INPUT_DEPTH } from './input-hygiene.ts';

describe('input hygiene', () => {
  it('accepts ordinary French text, emoji and nested objects', () => {
    expect(inputProblems({ title: 'Élections municipales 2020 — résultats 🗳️', tags: ['œuvre', 'ça'], deep: { a: [{ b: 'c' }] } }, 'body')).toEqual([]);
    expect(inputProblems(undefined, 'body')).toEqual([]);
  });

  it('names the field holding a NUL byte or a lone surrogate, in values and keys', () => {
    expect(inputProblems({ name: 'a\u0000b' }, 'body')).toEqual([{ field: 'body.name', message: expect.stringMatching(/caractère nul/) }]);
    expect(inputProblems({ list: ['ok', 'x\uD800'] }, 'body')).toEqual([{ field: 'body.list.1', message: expect.stringMatching(/substitut isolé/) }]);
    expect(inputProblems({ q: '\uDC00' }, 'querystring')).toEqual([{ field: 'querystring.q', message: expect.stringMatching(/substitut/) }]);
    expect(inputProblems({ 'k\u0000': 1 }, 'body')).toEqual([{ field: 'body.k\u0000', message: expect.stringMatching(/nul/) }]);
  });

  it('does not walk streams or buffers (proxied bodies, files)', async () => {
    const { Readable } = await import('node:stream');
    expect(inputProblems(Readable.from(['a\u0000']), 'body')).toEqual([]);
    expect(inputProblems(Buffer.from('a\u0000'), 'body')).toEqual([]);
  });

  it('refuses nesting deeper than the limit without exhausting the stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const problems = inputProblems(deep, 'body');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(new RegExp(`${MAX_INPUT_DEPTH} niveaux`));
  });
});
