/** Checks that a JSON document is a Table Schema: the frictionless v1 profile (draft-04) with ajv, plus our own rules. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import type { TableSchemaDescriptor } from './validation/types.ts';

const REFERENCE_DIR = join(import.meta.dirname, 'reference', 'schemas');

let compiled:
  (((d: unknown) => boolean) & { errors?: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[] | null }) | null =
  null;

function profile() {
  if (!compiled) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const schema = JSON.parse(readFileSync(join(REFERENCE_DIR, 'table-schema.json'), 'utf8')) as Record<string, unknown>;
    compiled = ajv.compile(schema) as never;
  }
  return compiled!;
}

const MAX_FIELDS = 2000;
/** A group that is one quantified atom, itself quantified: `(a+)+`, `(\\w*)*`, `([a-z]+){2,}` (catastrophic backtracking). */
const NESTED_QUANTIFIER = /\((?:\?:)?(?:\[(?:[^\]\\]|\\.)*\]|\\.|[^()|\\])[+*]\)(?:[+*]|\{\d+,\d*\})/;
const MAX_DEPTH = 12;

function depth(v: unknown, d = 0): number {
  if (d > MAX_DEPTH) return d;
  if (Array.isArray(v)) return Math.max(d, ...v.map((x) => depth(x, d + 1)));
  if (v && typeof v === 'object') return Math.max(d, ...Object.values(v).map((x) => depth(x, d + 1)));
  return d;
}

/** French problems of a descriptor (empty when it is a usable Table Schema). */
export function tableSchemaProblems(d: unknown): { field: string; message: string }[] {
  if (!d || typeof d !== 'object' || Array.isArray(d))
    return [{ field: 'schema', message: 'le schéma doit être un objet JSON (un descripteur Table Schema avec « fields »)' }];
  if (depth(d) > MAX_DEPTH) return [{ field: 'schema', message: `schéma trop profond (plus de ${MAX_DEPTH} niveaux d'imbrication)` }];
  const fields = (d as { fields?: unknown }).fields;
  if (!Array.isArray(fields)) return [{ field: 'schema.fields', message: "ce n'est pas un Table Schema : la liste « fields » est absente" }];
  if (fields.length > MAX_FIELDS) return [{ field: 'schema.fields', message: `trop de champs (${fields.length}, au plus ${MAX_FIELDS})` }];
  const validate = profile();
  const out: { field: string; message: string }[] = [];
  if (!validate(d)) {
    for (const e of (validate.errors ?? []).slice(0, 20)) {
      // anyOf over the field types gives one error per type: keep the useful ones.
      if (e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
      const where = `schema${e.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}`;
      const msg =
        e.keyword === 'required'
          ? `propriété obligatoire « ${String(e.params.missingProperty)} » absente`
          : e.keyword === 'type'
            ? `type attendu : ${String(e.params.type)}`
            : e.keyword === 'enum'
              ? `valeur non autorisée (attendu : ${(e.params.allowedValues as unknown[] | undefined)?.join(', ') ?? '…'})`
              : `non conforme au profil Table Schema (${e.keyword}${e.message ? ` : ${e.message}` : ''})`;
      if (!out.some((o) => o.field === where && o.message === msg)) out.push({ field: where, message: msg });
    }
    if (out.length === 0) out.push({ field: 'schema', message: 'non conforme au profil Table Schema v1 (type de champ inconnu ou propriété mal formée)' });
  }
  const names = new Set<string>();
  fields.forEach((f: unknown, i) => {
    const name = (f as { name?: unknown })?.name;
    if (typeof name === 'string') {
      if (names.has(name)) out.push({ field: `schema.fields[${i}].name`, message: `nom de champ « ${name} » en double` });
      names.add(name);
    }
    const pattern = (f as { constraints?: { pattern?: unknown } })?.constraints?.pattern;
    if (typeof pattern === 'string') {
      try {
        new RegExp(pattern);
        if (pattern.length > 2000)
          out.push({ field: `schema.fields[${i}].constraints.pattern`, message: 'expression régulière trop longue (2 000 caractères au plus)' });
        else if (NESTED_QUANTIFIER.test(pattern)) {
          out.push({
            field: `schema.fields[${i}].constraints.pattern`,
            message: `expression régulière refusée : quantificateur imbriqué (ex. « (a+)+ »), dont le temps d'évaluation peut exploser`,
          });
        }
      } catch {
        out.push({ field: `schema.fields[${i}].constraints.pattern`, message: `expression régulière invalide : ${pattern.slice(0, 80)}` });
      }
    }
  });
  const pk = (d as { primaryKey?: unknown }).primaryKey;
  for (const k of pk === undefined ? [] : Array.isArray(pk) ? pk : [pk]) {
    if (typeof k === 'string' && !names.has(k))
      out.push({ field: 'schema.primaryKey', message: `la clé primaire cite « ${k} », qui n'est pas un champ du schéma` });
  }
  return out;
}

export function asTableSchema(d: unknown): TableSchemaDescriptor {
  return d as TableSchemaDescriptor;
}

export { REFERENCE_DIR };
