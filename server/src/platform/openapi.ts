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

/** Spectral rule codes in words, for the producers who read the refusal (the rest keep Spectral's own message). */
const SPECTRAL_FR: Record<string, string> = {
  'oas3-schema': 'non conforme au schéma OpenAPI 3',
  'oas2-schema': 'non conforme au schéma Swagger 2',
  'oas3-valid-schema-example': 'exemple non conforme à son schéma',
  'oas3-valid-media-example': 'exemple non conforme à son schéma',
  'oas2-valid-schema-example': 'exemple non conforme à son schéma',
  'path-params': 'paramètre de chemin non déclaré, déclaré deux fois ou absent du chemin',
  'operation-operationId-unique': 'operationId utilisé par deux opérations',
  'operation-parameters': 'paramètre déclaré deux fois dans une opération',
  'no-eval-in-markdown': 'code eval() dans une description',
  'no-script-tags-in-markdown': 'balise <script> dans une description',
  'typed-enum': 'valeur d’énumération d’un autre type que son schéma',
  'duplicated-entry-in-enum': 'valeur d’énumération en double',
  'oas3-server-trailing-slash': 'URL de serveur terminée par /',
  'oas3-unused-component': 'composant jamais utilisé',
  'operation-success-response': 'opération sans réponse de succès (2xx ou 3xx)',
  'path-not-include-query': 'chemin contenant une chaîne de requête',
};

let spectralRun: Promise<(source: string) => Promise<{ code: string; message: string; path: (string | number)[]; severity: number }[]>> | null = null;

/**
 * Spectral's `spectral:oas` ruleset on a document, as API teams run it: its errors (severity 0) as
 * field errors in French, and the number of warnings. Spectral is loaded on first use.
 */
export async function lintOpenApiDocument(doc: unknown, prefix = 'openapi'): Promise<{ errors: FieldError[]; warnings: number }> {
  spectralRun ??= (async () => {
    const [{ Spectral }, { oas }] = await Promise.all([import('@stoplight/spectral-core'), import('@stoplight/spectral-rulesets')]);
    const spectral = new Spectral();
    spectral.setRuleset({ extends: [[oas as never, 'recommended']] });
    return async (source: string) => (await spectral.run(source)) as never;
  })();
  const run = await spectralRun;
  const results = await run(JSON.stringify(doc));
  const errors: FieldError[] = [];
  for (const r of results.filter((x) => x.severity === 0)) {
    if (errors.length >= 20) break;
    const path = r.path.map(String).join('.');
    errors.push({ field: path ? `${prefix}.${path}` : prefix, message: `règle Spectral ${r.code} : ${SPECTRAL_FR[r.code] ?? r.message}` });
  }
  return { errors, warnings: results.filter((x) => x.severity === 1).length };
}
