/**
 * The platform's one slug function: the identifier in URLs derived from a French name. Accents are
 * folded (« Contrôle école » → `controle-ecole`), ligatures spelt out (œ → oe, æ → ae, ß → ss),
 * apostrophes dropped (« l'État » → `letat`), every other run of non-alphanumerics becomes one dash.
 */
export function slugify(name: string, opts: { maxLength?: number; fallback?: string } = {}): string {
  const max = opts.maxLength ?? 80;
  const s = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/ø/g, 'o')
    .replace(/đ/g, 'd')
    .replace(/ł/g, 'l')
    .replace(/['’ʼ‘`´]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s || (opts.fallback ?? 'element');
}

/** What a slug looks like: lower-case letters, digits and single dashes, neither first nor last. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
