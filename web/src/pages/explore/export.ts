/**
 * Exports of a dashboard or a chart as files, in the browser (ADR 0803): each card's SVG is serialised
 * with its computed colours (the DSFR variables resolved, light or dark theme as shown), drawn on a
 * canvas with its title, and the canvas saved as PNG; the PDF is a hand-written PDF 1.4 file, one A4
 * landscape page embedding the same picture as a JPEG (DCTDecode: the JPEG bytes are the image stream,
 * no library, no server).
 */

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-opacity',
  'stroke-width',
  'stroke-dasharray',
  'font-size',
  'font-family',
  'font-weight',
  'text-anchor',
  'opacity',
] as const;

/** A standalone SVG document of a drawn chart: computed styles inlined, CSS variables gone. */
export function standaloneSvg(svg: SVGSVGElement): { text: string; width: number; height: number } {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
    (dst[i] as SVGElement).setAttribute('style', style);
  });
  clone.querySelectorAll('title').forEach((t) => t.remove());
  const box = svg.getBoundingClientRect();
  const width = Math.max(1, Math.round(box.width));
  const height = Math.max(1, Math.round(box.height));
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  return { text: new XMLSerializer().serializeToString(clone), width, height };
}

async function svgImage(svg: SVGSVGElement): Promise<{ img: HTMLImageElement; width: number; height: number }> {
  const { text, width, height } = standaloneSvg(svg);
  // A data: URL (the site's CSP allows images from 'self' and data: only, not blob:).
  const img = new Image();
  img.width = width;
  img.height = height;
  await new Promise<void>((ok, ko) => {
    img.onload = () => ok();
    img.onerror = () => ko(new Error('image SVG illisible'));
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  });
  return { img, width, height };
}

function wrap(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (ctx.measureText(next).width > width && line) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * One picture of cards (elements holding a heading and an SVG chart or a text), stacked in their
 * order, at `scale` device pixels per CSS pixel, on the page's background colour.
 */
export async function cardsCanvas(title: string, cards: HTMLElement[], scale = 2): Promise<HTMLCanvasElement> {
  const W = 900;
  const pad = 24;
  const bg = getComputedStyle(document.body).backgroundColor || '#ffffff';
  const fg = getComputedStyle(document.body).color || '#161616';
  const font = getComputedStyle(document.body).fontFamily || 'sans-serif';
  const measure = document.createElement('canvas').getContext('2d')!;
  type Block = { kind: 'text'; lines: string[]; size: number; weight: string } | { kind: 'image'; img: HTMLImageElement; w: number; h: number };
  const blocks: Block[] = [];
  const text = (s: string, size: number, weight = 'normal') => {
    measure.font = `${weight} ${size}px ${font}`;
    blocks.push({ kind: 'text', lines: wrap(measure, s, W - 2 * pad), size, weight });
  };
  text(title, 24, 'bold');
  for (const card of cards) {
    const heading = card.querySelector('h2, h3')?.textContent?.trim();
    if (heading) text(heading, 18, 'bold');
    const svgs = [...card.querySelectorAll<SVGSVGElement>('svg[data-chart]')];
    for (const svg of svgs) {
      const { img, width, height } = await svgImage(svg);
      const k = Math.min(1, (W - 2 * pad) / width);
      blocks.push({ kind: 'image', img, w: width * k, h: height * k });
    }
    const number = card.querySelector('[data-chart="number"]');
    if (number) text(number.textContent ?? '', 36, 'bold');
    if (!svgs.length && !number) {
      const body = card.querySelector('.fr-callout__text, figcaption, p');
      if (body?.textContent) text(body.textContent.trim(), 14);
    }
  }
  const heightOf = (b: Block) => (b.kind === 'text' ? b.lines.length * b.size * 1.35 + 8 : b.h + 16);
  const H = pad * 2 + blocks.reduce((a, b) => a + heightOf(b), 0);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(W * scale);
  canvas.height = Math.round(H * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, W, H);
  let y = pad;
  for (const b of blocks) {
    if (b.kind === 'text') {
      ctx.font = `${b.weight} ${b.size}px ${font}`;
      ctx.fillStyle = fg;
      ctx.textBaseline = 'top';
      for (const line of b.lines) {
        ctx.fillText(line, pad, y);
        y += b.size * 1.35;
      }
      y += 8;
    } else {
      ctx.drawImage(b.img, pad, y, b.w, b.h);
      y += b.h + 16;
    }
  }
  return canvas;
}

function blobOf(canvas: HTMLCanvasElement, type: string, quality?: number): Promise<Blob> {
  return new Promise((ok, ko) => canvas.toBlob((b) => (b ? ok(b) : ko(new Error('export impossible'))), type, quality));
}

/** The JPEG's pixel size, from its SOF marker. */
function jpegSize(jpeg: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i < jpeg.length) {
    if (jpeg[i] !== 0xff) throw new Error('JPEG invalide');
    const marker = jpeg[i + 1]!;
    const len = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: (jpeg[i + 5]! << 8) | jpeg[i + 6]!, width: (jpeg[i + 7]! << 8) | jpeg[i + 8]! };
    i += 2 + len;
  }
  throw new Error('JPEG sans dimensions');
}

/**
 * A PDF 1.4 file of one or more A4 landscape pages (842 × 595 pt), each showing a JPEG scaled to fit
 * (pages cut from one tall picture by the caller), with a title in the document information.
 */
export function jpegPdf(pages: Uint8Array[], title: string): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (b: Uint8Array | string) => {
    const bytes = typeof b === 'string' ? enc.encode(b) : b;
    chunks.push(bytes);
    length += bytes.length;
  };
  const object = (n: number, body: (Uint8Array | string)[]) => {
    offsets[n] = length;
    push(`${n} 0 obj\n`);
    body.forEach(push);
    push('\nendobj\n');
  };
  // PDF strings: ASCII with the specials escaped (titles in French: accents dropped to ASCII).
  const pdfString = (s: string) =>
    `(${s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^\x20-\x7e]/g, '?')
      .replace(/([\\()])/g, '\\$1')})`;
  const [PW, PH, M] = [842, 595, 24];
  push('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
  const n = pages.length;
  // Objects: 1 catalog, 2 pages, 3 info, then per page: page, content, image.
  const pageIds = pages.map((_, i) => 4 + i * 3);
  object(1, ['<< /Type /Catalog /Pages 2 0 R >>']);
  object(2, [`<< /Type /Pages /Kids [${pageIds.map((p) => `${p} 0 R`).join(' ')}] /Count ${n} >>`]);
  object(3, [`<< /Title ${pdfString(title)} /Producer (Patrimoine) >>`]);
  pages.forEach((jpeg, i) => {
    const { width, height } = jpegSize(jpeg);
    const k = Math.min((PW - 2 * M) / width, (PH - 2 * M) / height);
    const [w, h] = [width * k, height * k];
    const draw = `q ${w.toFixed(2)} 0 0 ${h.toFixed(2)} ${M.toFixed(2)} ${(PH - M - h).toFixed(2)} cm /Im0 Do Q`;
    const [page, content, image] = [pageIds[i]!, pageIds[i]! + 1, pageIds[i]! + 2];
    object(page, [`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PW} ${PH}] /Resources << /XObject << /Im0 ${image} 0 R >> >> /Contents ${content} 0 R >>`]);
    object(content, [`<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`]);
    object(image, [
      `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`,
      jpeg,
      '\nendstream',
    ]);
  });
  const xref = length;
  const count = 4 + n * 3;
  let table = `xref\n0 ${count}\n0000000000 65535 f \n`;
  for (let i = 1; i < count; i++) table += `${String(offsets[i]).padStart(10, '0')} 00000 n \n`;
  push(table);
  push(`trailer\n<< /Size ${count} /Root 1 0 R /Info 3 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Cuts a tall canvas into A4-landscape-proportioned slices, each a JPEG. */
async function jpegPages(canvas: HTMLCanvasElement): Promise<Uint8Array[]> {
  const sliceH = Math.round((canvas.width * 547) / 794);
  const pages: Uint8Array[] = [];
  for (let y = 0; y < canvas.height; y += sliceH) {
    const part = document.createElement('canvas');
    part.width = canvas.width;
    part.height = Math.min(sliceH, canvas.height - y);
    part.getContext('2d')!.drawImage(canvas, 0, y, canvas.width, part.height, 0, 0, canvas.width, part.height);
    pages.push(new Uint8Array(await (await blobOf(part, 'image/jpeg', 0.92)).arrayBuffer()));
  }
  return pages;
}

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** File name of an export: the title in lower case ASCII words. */
export function exportName(title: string, ext: 'png' | 'pdf'): string {
  const base =
    title
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80) || 'export';
  return `${base}.${ext}`;
}

export async function exportCards(title: string, cards: HTMLElement[], format: 'png' | 'pdf'): Promise<void> {
  const canvas = await cardsCanvas(title, cards);
  if (format === 'png') download(await blobOf(canvas, 'image/png'), exportName(title, 'png'));
  else {
    const pdf = jpegPdf(await jpegPages(canvas), title);
    download(new Blob([pdf as BlobPart], { type: 'application/pdf' }), exportName(title, 'pdf'));
  }
}
