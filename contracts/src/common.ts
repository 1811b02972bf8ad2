/**
 * Building blocks shared by every module's contract: the wire form of server types, the error model,
 * lists, identifiers, and French labels for enums. This workspace depends on zod only and imports
 * nothing else of ours (a lint rule enforces it), so that the server and the web app can both use it.
 */
import { z } from 'zod';
// Every message zod writes, in French, wherever the contracts are used (server and web).
import './errors-fr.ts';

/**
 * What a value looks like once it has crossed HTTP as JSON: dates become ISO strings. The server's
 * services return `z.output` types (with `Date`s); the web reads `Wire<T>` of the same type.
 */
export type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends readonly (infer U)[]
      ? readonly Wire<U>[]
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;

/** The wire type of a response schema (what the web receives). */
export type WireOf<S extends z.ZodType> = Wire<z.output<S>>;

/** A timestamp: a `Date` in the server, an ISO 8601 string on the wire (`format: date-time`). */
export const timestamp = z.date();

/** A calendar day as `YYYY-MM-DD`. */
export const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ attendue');

export const uuid = z.uuid();
export const idParams = z.object({ id: z.uuid() });

/** One error on one field of a request. */
export const fieldError = z.object({
  field: z.string().describe('Path of the field in the request: body.slug, query.page…'),
  message: z.string(),
  label: z.string().optional().describe('The field as the forms label it (« Identifiant »)'),
});
export type FieldError = z.infer<typeof fieldError>;

/** RFC 9457 problem details: every error the API sends. */
export const problem = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(fieldError).optional(),
  })
  .describe('RFC 9457 problem details');
export type Problem = z.infer<typeof problem>;

/** `?page=&pageSize=` of paginated lists. */
export const paginationQuery = z.object({
  page: z.coerce.number().int().min(1).default(1).describe('Page number, from 1.'),
  pageSize: z.coerce.number().int().min(1).max(500).default(50).describe('Items per page (max 500).'),
});

/** `{ items }` of a list that is not paginated. */
export function itemsOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

/** `{ items, total, page, pageSize }` of a paginated list. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
}

/** `?format=json|csv` of lists that can be exported to CSV. */
export const formatQuery = z.object({ format: z.enum(['json', 'csv']).optional().describe('csv: download the list as CSV.') });

/** An empty answer (204). */
export const noContent = z.null().describe('No content');

/**
 * French labels of an enum, checked complete by the type system: adding a value to the enum without
 * its label does not compile.
 */
export function labels<const T extends readonly string[]>(_values: T, map: { readonly [K in T[number]]: string }): { readonly [K in T[number]]: string } {
  return map;
}

/** Label of a value, or the value itself when unknown (a newer server than the web app). */
export function labelOf<T extends string>(map: Readonly<Record<T, string>>, value: T | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return (map as Record<string, string>)[value] ?? value;
}

/** `{ value: count }` for every value of an enum: an object with one property per value (a record of an enum would be documented without its properties). */
export function countsBy<const T extends readonly [string, ...string[]]>(values: T) {
  return z.object(Object.fromEntries(values.map((v) => [v, z.number()])) as { [K in T[number]]: z.ZodNumber });
}
