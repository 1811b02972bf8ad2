import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSpdxExpression, validatePubliccode } from './publiccode.validate.ts';

const dir = join(import.meta.dirname, 'fixtures', 'publiccode');
const files = (sub: string) => readdirSync(join(dir, sub)).filter((f) => f.endsWith('.yml'));
const expected = JSON.parse(readFileSync(join(dir, 'invalid-expected.json'), 'utf8')) as Record<string, string[]>;
/** Same key, or one inside the other (the parser names `dependsOn.open[0]` where we name `dependsOn.open[0].name`). */
const sameKey = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);

describe('publiccode.yml validator (port of publiccode-parser-go, v0)', () => {
  it.each(files('valid'))('accepts the parser’s valid file %s', (f) => {
    expect(validatePubliccode(readFileSync(join(dir, 'valid', f)))).toEqual([]);
  });

  it.each(files('standard'))('accepts the standard’s example %s', (f) => {
    expect(validatePubliccode(readFileSync(join(dir, 'standard', f)))).toEqual([]);
  });

  it.each(files('invalid'))('refuses the parser’s invalid file %s on the key it names', (f) => {
    const keys = expected[f];
    expect(keys, `no expectation for ${f}`).toBeDefined();
    const errors = validatePubliccode(readFileSync(join(dir, 'invalid', f)));
    expect(errors.length, f).toBeGreaterThan(0);
    const ours = errors.map((e) => e.key);
    expect(
      keys!.some((k) => ours.some((o) => sameKey(o, k))),
      `${f}: parser ${JSON.stringify(keys)}, ours ${JSON.stringify(errors)}`,
    ).toBe(true);
  });

  it('every invalid fixture has an expectation and vice versa', () => {
    expect(Object.keys(expected).sort()).toEqual(files('invalid').sort());
  });

  it('reads SPDX expressions as go-spdx does', () => {
    for (const ok of [
      'MIT',
      'AGPL-3.0-or-later',
      'apache-2.0',
      'GPL-3.0',
      'GPL-2.0+',
      'MIT OR Apache-2.0',
      '(MIT AND BSD-3-Clause) OR EUPL-1.2',
      'GPL-2.0-only WITH Classpath-exception-2.0',
      'LicenseRef-Etalab-2.0',
    ])
      expect(isSpdxExpression(ok), ok).toBe(true);
    for (const bad of ['NOASSERTION', 'NONE', '', 'MIT OR', 'Licence Ouverte 2.0', 'MIT WITH Foo', '(MIT', 'Etalab-2.0x'])
      expect(isSpdxExpression(bad), bad).toBe(false);
  });
});

describe('publiccode.yml reading', () => {
  it('refuses an alias bomb without expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    expect(validatePubliccode(bomb)).toEqual([{ key: '', message: expect.stringMatching(/alias/) }]);
  });
});
