import { fieldLabel } from '@patrimoine/contracts/field-labels';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { ValidationError, type FieldError } from '../errors.ts';

/** Deepest nesting of a JSON body or query the platform accepts (no contract goes beyond a dozen). */
export const MAX_INPUT_DEPTH = 32;
const MAX_REPORTED = 20;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Problems of a decoded input: NUL bytes (PostgreSQL refuses them in text, and they truncate strings in
 * C libraries), lone UTF-16 surrogates (not representable in UTF-8: the database driver fails) and
 * nesting deeper than `MAX_INPUT_DEPTH`. Keys are checked like values. Iterative, so that a hostile
 * input cannot exhaust the stack while it is being checked.
 */
export function inputProblems(value: unknown, root: string): FieldError[] {
  const out: FieldError[] = [];
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: root, depth: 0 }];
  const checkString = (s: string, path: string) => {
    if (s.includes('\u0000')) out.push({ field: path, message: 'le caractère nul (U+0000) n’est pas accepté' });
    else if (LONE_SURROGATE.test(s)) out.push({ field: path, message: 'texte mal formé : caractère Unicode incomplet (substitut isolé)' });
  };
  while (stack.length && out.length < MAX_REPORTED) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      checkString(v, path);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      out.push({ field: path, message: `imbrication trop profonde (${MAX_INPUT_DEPTH} niveaux au plus)` });
      continue;
    }
    // Only what a JSON or form parser produces: streams (proxied bodies), buffers and files are not walked.
    if (Buffer.isBuffer(v) || ArrayBuffer.isView(v) || v instanceof Date || typeof (v as { pipe?: unknown }).pipe === 'function') continue;
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) {
      const p = path ? `${path}.${k}` : k;
      if (!Array.isArray(v)) checkString(k, p);
      stack.push({ v: x, path: p, depth: depth + 1 });
    }
  }
  return out;
}

/**
 * One check for every documented route, before its schema validation: inputs that no contract can
 * accept get a 400 naming the field, instead of a 500 from the database driver (and a logged failed
 * query). Hidden routes (the gateway's proxy, static files) get no hook at all: their bytes are not
 * ours to judge and the proxy's hot path stays as it is (ADR 0404).
 */
export function registerInputHygiene(app: FastifyInstance) {
  const check = async (req: FastifyRequest) => {
    const errors = [...inputProblems(req.params, 'params'), ...inputProblems(req.query, 'querystring'), ...inputProblems(req.body, 'body')];
    if (errors.length) throw new ValidationError(errors.map((e) => `${fieldLabel(e.field)} : ${e.message}`).join(' ; '), errors);
  };
  app.addHook('onRoute', (route: RouteOptions) => {
    if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
    const existing = route.preValidation ? [route.preValidation].flat() : [];
    route.preValidation = [check, ...existing] as RouteOptions['preValidation'];
  });
}
