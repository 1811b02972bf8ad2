/**
 * Counts in French, one way everywhere (issue 11): « 0 action », « 1 action réalisée », « 2 jeux de
 * données ». French puts 0 and 1 in the singular. Numbers are written the French way (« 12 345 »).
 */
export function plural(n: number, one: string, many: string = pluralOf(one)): string {
  return `${n.toLocaleString('fr-FR')} ${Math.abs(n) >= 2 ? many : one}`;
}

/** The word alone, for a count shown elsewhere (« actions » beside a figure). */
export function word(n: number, one: string, many: string = pluralOf(one)): string {
  return Math.abs(n) >= 2 ? many : one;
}

/** The regular plural of each word of a phrase (« action réalisée » → « actions réalisées »); irregular ones are passed. */
function pluralOf(one: string): string {
  return one
    .split(' ')
    .map((w) =>
      /^(de|du|des|la|le|les|en|à|au|aux|et|ou|d’.*|l’.*)$/.test(w) || /[sxz]$/.test(w)
        ? w
        : /(au|eu)$/.test(w)
          ? `${w}x`
          : /al$/.test(w)
            ? `${w.slice(0, -2)}aux`
            : `${w}s`,
    )
    .join(' ');
}
