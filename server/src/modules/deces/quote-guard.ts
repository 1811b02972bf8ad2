import { Transform, type TransformCallback } from 'node:stream';

const NL = 0x0a;
const QUOTE = 0x22;

/**
 * Before the CSV parser of a bulk file: a physical line holding an odd number of double quotes (a
 * quote opened and never closed) would swallow the rest of the file into one record, so the whole
 * job would fail. Such a line is reported with its number and replaced by an empty line (the parser
 * skips empty lines; line numbers stay true), and matching goes on with the next line. Bulk files are
 * one record per line (matchID's contract): a quoted field spanning lines is not supported.
 * Works on bytes: `"` and `\n` are the same in UTF-8 and Latin-1.
 */
/** `encoding` is the file's, for the excerpt shown to the user (bytes cut at 120 may end mid-character in UTF-8). */
export function quoteGuard(onBadLine: (line: number, excerpt: string) => void, encoding: 'utf8' | 'latin1' = 'utf8'): Transform {
  let line = 1;
  let carry: Buffer = Buffer.alloc(0);
  let quotes = 0;
  const flushLine = (bytes: Buffer, push: (b: Buffer) => void, withNewline: boolean) => {
    if (quotes % 2 === 1) {
      onBadLine(
        line,
        bytes
          .subarray(0, 120)
          .toString(encoding)
          .replace(/\uFFFD$/, '')
          .replace(/\r$/, ''),
      );
      push(withNewline ? Buffer.from('\n') : Buffer.alloc(0));
    } else push(withNewline ? Buffer.concat([bytes, Buffer.from('\n')]) : bytes);
    quotes = 0;
    line++;
  };
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      const out: Buffer[] = [];
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (b === QUOTE) quotes++;
        else if (b === NL) {
          const piece = carry.length ? Buffer.concat([carry, chunk.subarray(start, i)]) : chunk.subarray(start, i);
          carry = Buffer.alloc(0);
          flushLine(piece, (x) => out.push(x), true);
          start = i + 1;
        }
      }
      if (start < chunk.length) carry = carry.length ? Buffer.concat([carry, chunk.subarray(start)]) : Buffer.from(chunk.subarray(start));
      done(null, out.length ? Buffer.concat(out) : undefined);
    },
    flush(done: TransformCallback) {
      const out: Buffer[] = [];
      if (carry.length) flushLine(carry, (x) => out.push(x), false);
      done(null, out.length ? Buffer.concat(out) : undefined);
    },
  });
}
