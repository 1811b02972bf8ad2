import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type PostalBase = { find(code: string): { codeCommune: string }[] };
/**
 * La Poste's base, loaded at the first lookup: 7.4 MB of heap that gateway and worker nodes, which
 * never look a postal code up, no longer hold (a larger heap is a longer mark-compact pause, ADR 0404).
 */
let base: PostalBase | null = null;
const codesPostaux = (): PostalBase => (base ??= require('codes-postaux') as PostalBase);

/** The municipal arrondissements' commune (deaths are recorded with either code). */
const CITY_OF: [RegExp, string][] = [
  [/^751\d\d$/, '75056'],
  [/^132\d\d$/, '13055'],
  [/^6938\d$/, '69123'],
];

/** The commune (Paris, Lyon, Marseille) of a municipal arrondissement's code, or null. */
export function cityOfArrondissement(code: string): string | null {
  for (const [re, city] of CITY_OF) if (re.test(code)) return city;
  return null;
}

/**
 * COG codes of the communes a postal code serves (La Poste's base through the `codes-postaux`
 * package), with the commune of Paris, Lyon or Marseille beside its arrondissements.
 */
export function communesOfPostalCode(postalCode: string): string[] {
  const out = new Set<string>();
  for (const e of codesPostaux().find(postalCode)) {
    out.add(e.codeCommune);
    for (const [re, city] of CITY_OF) if (re.test(e.codeCommune)) out.add(city);
  }
  return [...out].sort();
}
