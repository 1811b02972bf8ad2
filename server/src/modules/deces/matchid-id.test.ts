import { describe, expect, it } from 'vitest';
import { blake3 } from '@noble/hashes/blake3.js';
import vectors from './fixtures/python-tuple-repr.json' with { type: 'json' };
import { matchidFields, matchidId, matchidIdOfFields, pythonRepr, pythonTupleRepr } from './matchid-id.ts';
import { parseLine } from './insee.ts';

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const b64 = (s: string) =>
  Buffer.from(blake3(new TextEncoder().encode(s)))
    .toString('base64url')
    .slice(0, 12);

/** A line as INSEE writes it: fixed width, the last field padded. */
function line(f: string[]): string {
  return f.map((v, i) => v.padEnd([80, 1, 8, 5, 30, 30, 8, 5, 9][i]!, ' ')).join('') + '                      ';
}

describe('matchID record ids (deces-dataprep UID)', () => {
  it('hashes with BLAKE3 (the official test vectors)', () => {
    expect(hex(blake3(new Uint8Array(0)))).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
    expect(hex(blake3(new Uint8Array([0])))).toBe('2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213');
  });

  it('renders the row exactly as Python 3 prints str(tuple(row)) (goldens printed by python3)', () => {
    for (const v of vectors) expect(pythonTupleRepr(v.fields)).toBe(v.repr);
    expect(pythonRepr('')).toBe("''");
    expect(pythonRepr('a\nb')).toBe("'a\\nb'");
    expect(pythonTupleRepr(['x'])).toBe("('x',)");
  });

  it('reads the line as pandas read_fwf does: widths 80 1 8 5 30 30 8 5 10, fields stripped', () => {
    const l = line(['DUPONT*JEAN PIERRE/', '1', '19300101', '75056', 'PARIS', '', '20200116', '75056', '123']);
    expect(matchidFields(l)).toEqual(['DUPONT*JEAN PIERRE/', '1', '19300101', '75056', 'PARIS', '', '20200116', '75056', '123']);
    // The tenth character of the certificate number counts (it is cut to nine only after the id).
    const long = l.slice(0, 167) + '1234567890';
    expect(matchidFields(long)[8]).toBe('1234567890');
  });

  it('is the first 12 characters of base64url(blake3(repr)) of the normalised row', () => {
    const f = ['DUPONT*JEAN PIERRE/', '1', '19300101', '75056', 'PARIS', '', '20200116', '75056', '123'];
    const id = matchidId(line(f));
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(id).toBe(b64(vectors[0]!.repr));
    expect(matchidIdOfFields(f)).toBe(id);
  });

  it('normalises names, birth place and certificate (NFKD, non-ASCII dropped), not the other fields', () => {
    const accented = ['DUPONT*JÉRÔME/', '1', '19300101', '75056', 'SAINT-ÉTIENNE', 'ÉGYPTE', '20200116', '75056', '12é'];
    const plain = ['DUPONT*JEROME/', '1', '19300101', '75056', 'SAINT-ETIENNE', 'EGYPTE', '20200116', '75056', '12e'];
    expect(matchidIdOfFields(accented)).toBe(matchidIdOfFields(plain));
    // A latin1 no-break space in a field that is not normalised is kept (Python prints it \xa0).
    const withNbsp = matchidIdOfFields(['A*B/', '1', '1930\u00a00101', '75056', 'P', '', '20200116', '75056', '1']);
    expect(withNbsp).toBe(b64("('A*B/', '1', '1930\\xa00101', '75056', 'P', '', '20200116', '75056', '1')"));
  });

  it('is carried by every parsed record, and differs from our own id', () => {
    const r = parseLine(line(['DUPONT*JEAN PIERRE/', '1', '19300101', '75056', 'PARIS', '', '20200116', '75056', '123']), 'deces-2020-m01');
    expect(r.matchidId).toBe(b64(vectors[0]!.repr));
    expect(r.id).not.toBe(r.matchidId);
  });
});
