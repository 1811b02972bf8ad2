import { Validator } from '@seriousme/openapi-schema-validator';
import type { FieldError } from './errors.ts';

/**
 * Validates an OpenAPI document (Swagger 2.0, OpenAPI 3.0, 3.1 or 3.2) against the official JSON
 * schemas. Only parsed objects are accepted: the library would read a string as a file path.
 * Returns the problems as field errors under `prefix` (empty when the document is valid).
 */
// One validator (its schemas compiled once), used by one call at a time: it keeps per-call state.
let shared: Validator | null = null;
let queue: Promise<unknown> = Promise.resolve();

export async function validateOpenApiDocument(doc: unknown, prefix = 'openapi'): Promise<FieldError[]> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return [{ field: prefix, message: 'un document OpenAPI (objet JSON ou YAML) est attendu' }];
  // The validator may annotate the object it is given: validate a copy.
  const copy = structuredClone(doc) as Parameters<Validator['validate']>[0];
  const run = queue.then(() => (shared ??= new Validator()).validate(copy));
  queue = run.catch(() => undefined);
  const res = await run;
  if (res.valid) return [];
  const errors = (Array.isArray(res.errors) ? res.errors : [{ message: String(res.errors) }]) as {
    instancePath?: string;
    message?: string;
    params?: Record<string, unknown>;
  }[];
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    const path = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const extra =
      e.params && 'additionalProperty' in e.params
        ? ` (« ${String(e.params.additionalProperty)} »)`
        : e.params && 'missingProperty' in e.params
          ? ` (« ${String(e.params.missingProperty)} »)`
          : '';
    const f = { field: path ? `${prefix}.${path}` : prefix, message: `non conforme au schéma OpenAPI : ${e.message ?? 'valeur invalide'}${extra}` };
    const key = `${f.field}|${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
    if (out.length >= 20) break; // the first problems are enough to fix the document
  }
  return out;
}
