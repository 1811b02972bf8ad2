import { z } from 'zod';
import { gwApprovals, gwFailPolicies, gwVisibilities } from './gateway.table.ts';

/** Input schemas shared by the HTTP routes and the declarative configuration. */
export const slugSchema = z
  .string()
  .min(2, '2 caractères au moins')
  .max(60, '60 caractères au plus')
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lettres minuscules, chiffres et tirets (ni au début ni à la fin)');

const limit = z.number().int().min(1, 'au moins 1').max(10_000_000).nullable();

export const apiInput = z.object({
  slug: slugSchema,
  name: z.string().trim().min(2, 'nom trop court').max(200),
  description: z.string().max(5000).default(''),
  audience: z.string().max(1000).default(''),
  organisationCode: z.string().max(40).optional(),
  visibility: z.enum(gwVisibilities).default('public'),
  upstreamUrl: z.string().max(2000),
  upstreamUrls: z.array(z.string().max(2000)).max(10, '10 amonts supplémentaires au plus').default([]),
  timeoutMs: z.number().int().min(100, '100 ms au moins').max(120_000, '120 s au plus').default(10_000),
  allowPrivateUpstream: z.boolean().default(false),
  requiredScope: z
    .string()
    .regex(/^[\w:.-]{1,100}$/, 'portée invalide')
    .nullable()
    .default(null),
  failPolicy: z.enum(gwFailPolicies).default('open'),
  maxBodyBytes: z
    .number()
    .int()
    .min(0)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024),
  enabled: z.boolean().default(true),
  healthPath: z.string().max(500).regex(/^\//, 'commence par /').default('/'),
  catalogAssetId: z.uuid().nullable().optional(),
});
export type ApiInput = z.infer<typeof apiInput>;
/** What callers pass (defaults filled in by the service). */
export type ApiInputRaw = z.input<typeof apiInput>;
// Explicit optional fields: a patch must not fill in the defaults of fields it does not mention.
export const apiPatch = z.object(
  Object.fromEntries(
    Object.entries(apiInput.shape)
      .filter(([k]) => k !== 'slug')
      .map(([k, v]) => [k, (v instanceof z.ZodDefault ? v.unwrap() : v).optional()]),
  ),
) as unknown as z.ZodObject<{
  [K in Exclude<keyof typeof apiInput.shape, 'slug'>]: z.ZodOptional<
    z.ZodType<NonNullable<z.infer<typeof apiInput>[K]> | (null extends z.infer<typeof apiInput>[K] ? null : never)>
  >;
}>;
export type ApiPatch = z.infer<typeof apiPatch>;

export const planInput = z
  .object({
    slug: slugSchema,
    name: z.string().trim().min(2, 'nom trop court').max(200),
    keyless: z.boolean().default(false),
    perSecond: limit.default(null),
    perMinute: limit.default(null),
    perDay: limit.default(null),
    perMonth: limit.default(null),
    approval: z.enum(gwApprovals).default('auto'),
    scopes: z
      .array(z.string().regex(/^[\w:.-]{1,100}$/, 'portée invalide'))
      .max(50)
      .default([]),
  })
  .refine((p) => !p.keyless || p.perSecond !== null || p.perMinute !== null || p.perDay !== null, {
    message: 'un plan sans clé doit avoir une limite',
    path: ['perSecond'],
  });
export type PlanInput = z.infer<typeof planInput>;
export type PlanInputRaw = z.input<typeof planInput>;
export const planPatch = z.object({
  name: z.string().trim().min(2).max(200).optional(),
  perSecond: limit.optional(),
  perMinute: limit.optional(),
  perDay: limit.optional(),
  perMonth: limit.optional(),
  approval: z.enum(gwApprovals).optional(),
  scopes: z
    .array(z.string().regex(/^[\w:.-]{1,100}$/, 'portée invalide'))
    .max(50)
    .optional(),
});
export type PlanPatch = z.infer<typeof planPatch>;

export const appInput = z.object({
  slug: slugSchema.optional(),
  name: z.string().trim().min(2, 'nom trop court').max(200),
  description: z.string().max(2000).default(''),
  organisationCode: z.string().max(40).optional(),
});
export type AppInput = z.infer<typeof appInput>;

/** A minimal structural check of an OpenAPI 3 document (the portal renders paths and operations). */
export const openApiDocument = z
  .object({
    openapi: z.string().regex(/^3\.\d+(\.\d+)?$/, 'version OpenAPI 3.x attendue (champ openapi)'),
    info: z.object({ title: z.string().min(1, 'titre requis'), version: z.string().min(1, 'version requise') }).passthrough(),
    paths: z.record(z.string().regex(/^\//, 'un chemin commence par /'), z.record(z.string(), z.unknown())),
  })
  .passthrough();
