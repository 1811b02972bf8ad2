import { parse, type Document } from 'yaml';
import { ValidationError } from './errors.ts';

/**
 * YAML from users (catalogue import, publiccode.yml, gateway configuration), parsed so that a hostile
 * file is a 400 naming the field, never a 500 or an exhausted node (issue 10):
 * - alias expansion is bounded (`maxAliasCount`: a « billion laughs » document of nested aliases
 *   would otherwise grow exponentially, and the yaml library's own limit throws a bare ReferenceError);
 * - any other failure of the parser or of the conversion (deep nesting: RangeError) is a field error.
 */
export const YAML_MAX_ALIASES = 100;

function refused(field: string, e: unknown): ValidationError {
  const msg = e instanceof Error ? e.message : String(e);
  const message = /alias/i.test(msg)
    ? `trop d’alias YAML (${YAML_MAX_ALIASES} au plus) : document refusé (expansion d’alias)`
    : e instanceof RangeError
      ? 'document YAML trop imbriqué'
      : `YAML illisible : ${msg.split('\n')[0]}`;
  return new ValidationError(`Fichier YAML refusé : ${message}.`, [{ field, message }]);
}

/** `yaml.parse` with bounded aliases; errors are a `ValidationError` on `field`. */
export function parseYamlSafely(text: string, field: string, opts: { maxAliasCount?: number } = {}): unknown {
  try {
    return parse(text, { maxAliasCount: opts.maxAliasCount ?? YAML_MAX_ALIASES });
  } catch (e) {
    throw refused(field, e);
  }
}

/** `doc.toJS()` of an already parsed document (kept for its line numbers), with bounded aliases. */
export function yamlToJsSafely(doc: Document, field: string, opts: { maxAliasCount?: number } = {}): unknown {
  try {
    return doc.toJS({ maxAliasCount: opts.maxAliasCount ?? YAML_MAX_ALIASES });
  } catch (e) {
    throw refused(field, e);
  }
}
