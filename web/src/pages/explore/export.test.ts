import { describe, expect, it } from 'vitest';
import { exportName, jpegPdf } from './export';

// The smallest byte sequence jpegPdf reads: SOI, a baseline SOF0 of 32 × 16 pixels, EOI.
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9]);

describe('dashboard export files', () => {
  it('writes a PDF whose cross-reference table points at each object, one page per picture, the JPEG embedded as is', () => {
    const pdf = jpegPdf([JPEG, JPEG], 'Délinquance (démonstration)');
    const text = new TextDecoder('latin1').decode(pdf);
    expect(text.startsWith('%PDF-1.4\n')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(text).toContain('/Count 2');
    expect(text).toContain('/Width 32 /Height 16');
    expect(text).toContain('/Title (Delinquance (demonstration))'.replace('(demonstration)', '\\(demonstration\\)'));
    const startxref = Number(/startxref\n(\d+)/.exec(text)![1]);
    expect(text.slice(startxref, startxref + 4)).toBe('xref');
    const entries = text.slice(startxref).split('\n').slice(3, 12);
    expect(entries.length).toBe(9);
    entries.forEach((e, i) => {
      const at = Number(e.slice(0, 10));
      expect(text.slice(at, at + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
    });
    // The image stream is the JPEG's bytes.
    const at = text.indexOf('/DCTDecode');
    const s = text.indexOf('stream\n', at) + 'stream\n'.length;
    expect([...pdf.slice(s, s + JPEG.length)]).toEqual([...JPEG]);
  });

  it('names files after the title', () => {
    expect(exportName('Délinquance enregistrée (démonstration)', 'png')).toBe('delinquance-enregistree-demonstration.png');
    expect(exportName('—', 'pdf')).toBe('export.pdf');
  });
});
