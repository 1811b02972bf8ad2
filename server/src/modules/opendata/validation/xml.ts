/** A small streaming XML tokenizer (enough for spreadsheet parts): tags, attributes, text, entities. */

export interface XmlHandler {
  open(name: string, attrs: Record<string, string>, selfClosing: boolean): void;
  close(name: string): void;
  text(text: string): void;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

const ATTR = /([^\s=/]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

export class XmlTokenizer {
  private buf = '';

  constructor(
    private readonly h: XmlHandler,
    private readonly maxPending = 4 * 1024 * 1024,
  ) {}

  push(chunk: string): void {
    let s = this.buf + chunk;
    let i = 0;
    for (;;) {
      const lt = s.indexOf('<', i);
      if (lt < 0) {
        // Keep a possibly cut entity for the next chunk.
        const amp = s.lastIndexOf('&');
        const end = amp >= i && s.indexOf(';', amp) < 0 ? amp : s.length;
        if (end > i) this.h.text(decodeEntities(s.slice(i, end)));
        i = end;
        break;
      }
      if (lt > i) this.h.text(decodeEntities(s.slice(i, lt)));
      i = lt;
      if (s.startsWith('<!--', i)) {
        const e = s.indexOf('-->', i + 4);
        if (e < 0) break;
        i = e + 3;
        continue;
      }
      if (s.startsWith('<![CDATA[', i)) {
        const e = s.indexOf(']]>', i + 9);
        if (e < 0) break;
        this.h.text(s.slice(i + 9, e));
        i = e + 3;
        continue;
      }
      const gt = s.indexOf('>', i);
      if (gt < 0) break;
      const tag = s.slice(i + 1, gt);
      i = gt + 1;
      const c0 = tag.charCodeAt(0);
      if (c0 === 63 /* ? */ || c0 === 33 /* ! */) continue;
      if (c0 === 47 /* / */) {
        this.h.close(tag.slice(1).trim());
        continue;
      }
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const sp = body.search(/\s/);
      const name = sp < 0 ? body : body.slice(0, sp);
      const attrs: Record<string, string> = {};
      if (sp >= 0) {
        ATTR.lastIndex = 0;
        let m: RegExpExecArray | null;
        const rest = body.slice(sp);
        while ((m = ATTR.exec(rest))) attrs[m[1]!] = decodeEntities(m[3] ?? m[4] ?? '');
      }
      this.h.open(name, attrs, selfClosing);
      if (selfClosing) this.h.close(name);
    }
    s = s.slice(i);
    if (s.length > this.maxPending) throw new Error('Élément XML démesuré dans le classeur.');
    this.buf = s;
  }
}
