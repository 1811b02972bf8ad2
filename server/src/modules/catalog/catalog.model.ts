import {
  assetInput,
  assetKinds,
  relationRules,
  slug,
  slugPattern,
  specSchemas,
  type AssetInput,
  type AssetKind,
  type RelationType,
} from '@patrimoine/contracts/catalog';

// The vocabularies, schemas and relation rules are the catalogue's contract (contracts/src/catalog.ts).
export {
  assetKinds,
  contactRoles,
  kindLabels,
  lifecycles,
  opennessValues,
  relationRules,
  relationTypes,
  specSchemas,
  type AssetInput,
  type AssetKind,
  type AssetSpec,
  type Lifecycle,
  type Openness,
  type RelationType,
} from '@patrimoine/contracts/catalog';
export const assetInputSchema = assetInput;
export const slugSchema = slug;

/** Cross-field rules zod's shape cannot express; returns `[field, message]` pairs. */
export function envelopeProblems(a: AssetInput): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (a.openness === 'non_ouvrable' && !a.opennessReason?.trim()) {
    out.push({
      field: 'opennessReason',
      message: 'motif juridique obligatoire pour un actif non ouvrable (ex. secret protégé par l’article L311-5 du CRPA, données personnelles)',
    });
  }
  if (a.lifecycle === 'decommissionne' && !a.decommissionedOn)
    out.push({ field: 'decommissionedOn', message: 'date de décommissionnement obligatoire pour un actif décommissionné' });
  if (a.openness === 'ouvert' && a.personalData)
    out.push({ field: 'personalData', message: 'un actif contenant des données personnelles ne peut pas être ouvert tel quel' });
  return out;
}

/** Validates the kind-specific fields; errors are prefixed `spec.`. */
export function parseSpec(
  kind: AssetKind,
  spec: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; errors: { field: string; message: string }[] } {
  const r = specSchemas[kind].safeParse(spec ?? {});
  if (r.success) return { ok: true, value: dropUndefined(r.data as Record<string, unknown>) };
  return {
    ok: false,
    errors: r.error.issues.map((i) => ({
      field: ['spec', ...i.path.map(String)].join('.'),
      message: i.code === 'unrecognized_keys' ? `champ inconnu pour le type ${kind} : ${(i as { keys: string[] }).keys.join(', ')}` : i.message,
    })),
  };
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

// ---------------------------------------------------------------------------------------------
// Relations

/** Null when `from -type-> to` is allowed, otherwise the reason in French. */
export function relationProblem(type: RelationType, fromKind: AssetKind, toKind: AssetKind, sameAsset: boolean): string | null {
  if (sameAsset) return 'un actif ne peut pas être relié à lui-même';
  const r = relationRules[type];
  if (!r.from.includes(fromKind) || !r.to.includes(toKind)) {
    return `la relation « ${type} » relie ${r.from.join(', ')} → ${r.to.join(', ')} ; pas ${fromKind} → ${toKind}`;
  }
  return null;
}

/** `kind:slug` reference parsing. */
export function parseRef(ref: string): { kind: AssetKind; slug: string } | null {
  const m = /^([a-z_]+):(.+)$/.exec(ref.trim());
  if (!m || !(assetKinds as readonly string[]).includes(m[1]!) || !slugPattern.test(m[2]!)) return null;
  return { kind: m[1] as AssetKind, slug: m[2]! };
}
