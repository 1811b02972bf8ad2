/**
 * Import of data.gouv.fr datasets (udata API v1: GET /api/1/organizations/{org}/datasets/, or a
 * list of datasets) into dataset assets. Mapping field by field: docs/modules/catalog.md,
 * « Import data.gouv.fr ». A private, archived or deleted dataset keeps that status and is never
 * made open (so never published in DCAT).
 */
import { frequencies as frequencyList } from '@patrimoine/contracts/catalog';
import { slugify } from '@patrimoine/contracts/slug';
import { z } from 'zod';
import { ValidationError, fieldError } from '../../platform/errors.ts';
import { toDocument, type AssetDocument, type CatalogService } from './catalog.service.ts';

const text = (max: number) => z.string().max(max).nullable().optional();
const date = z.string().max(60).nullable().optional();
const ref = z.union([z.string().max(200), z.object({ id: z.string().max(200) }).passthrough()]);

const udataResource = z
  .object({
    title: text(300),
    url: z.string().max(2000),
    format: text(50),
    filesize: z.number().nullable().optional(),
    type: text(50),
    description: z.string().max(100_000).nullable().optional(),
    mime: text(200),
    checksum: z
      .object({ type: z.string().max(20), value: z.string().max(200) })
      .passthrough()
      .nullable()
      .optional(),
    created_at: date,
    last_modified: date,
  })
  .passthrough();

const udataDataset = z
  .object({
    id: z.string().min(1).max(100),
    title: z.string().min(1).max(300),
    acronym: text(100),
    slug: z.string().max(300).optional(),
    description: z.string().max(100_000).nullable().optional(),
    page: z.string().max(2000).nullable().optional(),
    license: z.string().max(100).nullable().optional(),
    frequency: z.string().max(50).nullable().optional(),
    tags: z.array(z.string().max(100)).max(200).nullable().optional(),
    private: z.boolean().nullable().optional(),
    archived: date,
    deleted: date,
    created_at: date,
    last_modified: date,
    created_at_internal: date,
    last_modified_internal: date,
    access_type: text(50),
    organization: z
      .object({ id: text(100), name: z.string().max(300), acronym: text(100), page: text(2000) })
      .passthrough()
      .nullable()
      .optional(),
    owner: z
      .object({ first_name: text(200), last_name: text(200) })
      .passthrough()
      .nullable()
      .optional(),
    contact_points: z
      .array(z.object({ name: z.string().max(255), email: text(255), contact_form: text(2000), role: text(50) }).passthrough())
      .max(50)
      .nullable()
      .optional(),
    schema: z
      .object({ name: text(300), version: text(50), url: text(2000) })
      .passthrough()
      .nullable()
      .optional(),
    temporal_coverage: z.object({ start: z.string().nullable().optional(), end: z.string().nullable().optional() }).nullable().optional(),
    spatial: z
      .object({
        zones: z.array(ref).max(1000).nullable().optional(),
        granularity: ref.nullable().optional(),
        geom: z
          .object({ type: z.string(), coordinates: z.array(z.unknown()) })
          .passthrough()
          .nullable()
          .optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
    resources: z.array(udataResource).max(500).nullable().optional(),
  })
  .passthrough();
type UdataDataset = z.infer<typeof udataDataset>;

/** data.gouv.fr licence ids (GET /api/1/datasets/licenses/) → the label the catalogue stores; other ids are kept as they are, notspecified is no licence. */
export const datagouvLicences: Record<string, string> = {
  'fr-lo': 'Licence Ouverte 1.0',
  lov2: 'Licence Ouverte 2.0',
  'odc-odbl': 'ODbL',
  'cc-by': 'CC-BY',
  'cc-zero': 'CC0',
  notspecified: '',
};

/** udata's legacy frequency ids (UpdateFrequency._LEGACY_FREQUENCIES) → current ones; every current id is kept as it is. */
export const legacyFrequencies: Record<string, string> = {
  realtime: 'continuous',
  fourTimesADay: 'severalTimesADay',
  fourTimesAWeek: 'other',
  fortnighly: 'biweekly',
  biannual: 'semiannual',
};
const known = new Set<string>(frequencyList);

const geometryTypes = new Set(['Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon']);
const email = z.email();
const isHttp = (u: unknown): u is string => typeof u === 'string' && /^https?:\/\/[^\s]+$/i.test(u) && u.length <= 2000;
const idOf = (r: string | { id: string }) => (typeof r === 'string' ? r : r.id);
/** An ISO 8601 date-time normalised (udata writes microseconds and +00:00), or undefined. */
const isoTime = (v: string | null | undefined) => {
  if (!v) return undefined;
  const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(v) || !/T/.test(v) ? v : `${v}Z`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};
const cut = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s);
const norm = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** The platform organisation a data.gouv.fr organisation is, by acronym = code or by name; null when it is none of ours. */
export function matchOrganisation(org: { name: string; acronym?: string | null } | null | undefined, ours: { code: string; name: string }[]): string | null {
  if (!org) return null;
  const byCode = org.acronym ? ours.find((o) => o.code.toLowerCase() === org.acronym!.trim().toLowerCase()) : undefined;
  if (byCode) return byCode.code;
  const byName = ours.find((o) => norm(o.name) === norm(org.name));
  return byName?.code ?? null;
}

/** What data.gouv.fr's status says of publication: private, archived or deleted datasets are never opened. */
function statusOf(d: UdataDataset): { status?: 'private' | 'archived' | 'deleted'; since?: string } {
  if (d.deleted) return { status: 'deleted', since: isoTime(d.deleted) };
  if (d.archived) return { status: 'archived', since: isoTime(d.archived) };
  if (d.private) return { status: 'private' };
  return {};
}

/** One data.gouv.fr dataset as an asset document (`prev`: the asset already imported with that id, if any). */
export function datagouvDocument(
  d: UdataDataset,
  slug: string,
  owner: string,
  prev: AssetDocument | null,
  ours: { code: string; name: string }[],
): AssetDocument {
  const keep: Record<string, unknown> = { ...(prev?.spec ?? {}) };
  // Fields the source owns are refreshed as a whole: a value gone at the source is gone here.
  for (const k of [
    'licence',
    'frequency',
    'temporalCoverageStart',
    'temporalCoverageEnd',
    'spatialCoverage',
    'spatialZones',
    'spatialGranularity',
    'spatialGeometry',
    'resources',
    'acronym',
    'publisher',
    'contactPoints',
    'schema',
    'issued',
    'modified',
    'datagouvStatus',
    'archivedAt',
  ])
    delete keep[k];
  const spec: Record<string, unknown> = { ...keep, datagouvId: d.id };
  if (isHttp(d.page)) spec.datagouvUrl = d.page;
  const lic = d.license ? (datagouvLicences[d.license] ?? d.license) : '';
  if (lic) spec.licence = lic;
  const f = d.frequency ? (legacyFrequencies[d.frequency] ?? d.frequency) : undefined;
  if (f && known.has(f)) spec.frequency = f;
  if (d.temporal_coverage?.start) spec.temporalCoverageStart = d.temporal_coverage.start.slice(0, 10);
  if (d.temporal_coverage?.end) spec.temporalCoverageEnd = d.temporal_coverage.end.slice(0, 10);
  if (d.acronym) spec.acronym = d.acronym;

  // Spatial coverage: zones (GeoZone ids), granularity, geometry; a label for people.
  const zones = (d.spatial?.zones ?? []).map(idOf).filter(Boolean);
  const granularity = d.spatial?.granularity ? idOf(d.spatial.granularity) : undefined;
  if (zones.length) spec.spatialZones = zones;
  if (granularity) spec.spatialGranularity = granularity;
  const geom = d.spatial?.geom;
  if (geom && geometryTypes.has(geom.type)) spec.spatialGeometry = { type: geom.type, coordinates: geom.coordinates };
  if (zones.some((z) => /^(country:fr|fr:pays:fr|fr:fr)$/i.test(z)) || (!zones.length && granularity === 'country')) spec.spatialCoverage = 'France';
  else if (zones.length) spec.spatialCoverage = cut(zones.join(', '), 500);

  // Source organisation: ours when known (owner), and always kept as the publisher.
  const org = d.organization;
  const mapped = matchOrganisation(org, ours);
  if (org?.name)
    spec.publisher = {
      name: org.name,
      ...(org.acronym ? { acronym: org.acronym } : {}),
      ...(org.id ? { datagouvId: org.id } : {}),
      ...(isHttp(org.page) ? { url: org.page } : {}),
    };
  else if (d.owner && (d.owner.first_name || d.owner.last_name)) spec.publisher = { name: [d.owner.first_name, d.owner.last_name].filter(Boolean).join(' ') };

  const points = (d.contact_points ?? [])
    .filter((c) => c.name.trim())
    .slice(0, 20)
    .map((c) => ({
      name: c.name.trim(),
      ...(c.email && email.safeParse(c.email).success ? { email: c.email } : {}),
      ...(isHttp(c.contact_form) ? { contactForm: c.contact_form } : {}),
      ...(c.role ? { role: c.role } : {}),
    }));
  if (points.length) spec.contactPoints = points;

  if (d.schema && (d.schema.name || isHttp(d.schema.url))) {
    spec.schema = {
      ...(d.schema.name ? { name: d.schema.name } : {}),
      ...(d.schema.version ? { version: d.schema.version } : {}),
      ...(isHttp(d.schema.url) ? { url: d.schema.url } : {}),
    };
    spec.schemaRef = d.schema.name ? `${d.schema.name}${d.schema.version ? `@${d.schema.version}` : ''}` : d.schema.url;
  }
  const issued = isoTime(d.created_at ?? d.created_at_internal);
  const modified = isoTime(d.last_modified ?? d.last_modified_internal);
  if (issued) spec.issued = issued;
  if (modified) spec.modified = modified;

  const { status, since } = statusOf(d);
  if (status) spec.datagouvStatus = status;
  if (status !== 'private' && since) spec.archivedAt = since;
  const access = d.access_type && ['open', 'open_with_account', 'restricted'].includes(d.access_type) ? d.access_type : 'open';
  spec.accessType = access;

  if (d.resources?.length)
    spec.resources = d.resources.map((x) => {
      const ri = isoTime(x.created_at);
      const rm = isoTime(x.last_modified);
      return {
        title: cut(x.title || x.url, 300),
        url: x.url,
        ...(x.format ? { format: x.format } : {}),
        ...(typeof x.filesize === 'number' && x.filesize >= 0 ? { size: Math.round(x.filesize) } : {}),
        ...(x.type ? { type: x.type } : {}),
        ...(x.description?.trim() ? { description: cut(x.description, 10_000) } : {}),
        ...(x.mime ? { mime: x.mime } : {}),
        ...(x.checksum?.type && x.checksum.value ? { checksum: { type: x.checksum.type, value: x.checksum.value } } : {}),
        ...(ri ? { issued: ri } : {}),
        ...(rm ? { modified: rm } : {}),
      };
    });

  // Contacts: the asset's own, plus the source's contact points (role « contact » is the public contact).
  const contacts = [...(prev?.contacts ?? [])];
  for (const p of points) {
    if (contacts.some((c) => c.name === p.name && (c.email ?? null) === (p.email ?? null))) continue;
    contacts.push({ role: p.role === 'contact' ? 'contact_public' : 'autre', name: p.name.slice(0, 200), ...(p.email ? { email: p.email } : {}) });
  }

  // Never published what the source did not publish: private, archived, deleted or restricted stays closed.
  const closed = !!status || access === 'restricted';
  const wasGone = prev?.spec?.datagouvStatus === 'archived' || prev?.spec?.datagouvStatus === 'deleted';
  const gone = status === 'archived' || status === 'deleted';
  return {
    ...(prev ?? {}),
    kind: 'dataset',
    slug,
    title: d.title,
    description: d.description ?? prev?.description ?? '',
    owner: prev?.owner ?? mapped ?? owner,
    contacts: contacts.slice(0, 50),
    tags: [...new Set([...(prev?.tags ?? []), ...(d.tags ?? [])])],
    openness: closed ? 'ferme' : 'ouvert',
    personalData: prev?.personalData ?? false,
    ...(gone
      ? { lifecycle: 'decommissionne' as const, decommissionedOn: (since ?? new Date().toISOString()).slice(0, 10) }
      : wasGone
        ? { lifecycle: 'en_service' as const, decommissionedOn: null }
        : {}),
    spec,
  };
}

/** Datasets from a data.gouv.fr organisation export, matched to existing assets by data.gouv.fr id. */
export async function datagouvDocuments(
  content: string,
  owner: string,
  service: CatalogService,
  ours: { code: string; name: string }[] = [],
): Promise<AssetDocument[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(content);
  } catch (e) {
    throw fieldError('content', `JSON illisible : ${(e as Error).message}`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { data?: unknown })?.data;
  if (!Array.isArray(list))
    throw fieldError('content', 'attendu : la réponse de /api/1/organizations/{org}/datasets/ (objet avec « data ») ou une liste de jeux');
  const errors: { field: string; message: string }[] = [];
  const docs: AssetDocument[] = [];
  const usedSlugs = new Set<string>();
  for (const [i, item] of list.entries()) {
    const r = udataDataset.safeParse(item);
    if (!r.success) {
      for (const iss of r.error.issues) errors.push({ field: `data.${i}.${iss.path.join('.')}`, message: iss.message });
      continue;
    }
    const d = r.data;
    const existingRow = await service.repo.findByDatagouvId(d.id);
    const existing = existingRow ? await service.repo.findById(existingRow.id) : null;
    const prev = existing ? toDocument(existing) : null;
    let slug = prev?.slug ?? slugify(d.slug ?? d.title, { fallback: 'jeu' });
    if (!prev) {
      const base = slug;
      for (let n = 2; usedSlugs.has(slug) || (await service.repo.findByRef('dataset', slug)); n++) slug = `${base.slice(0, 75)}-${n}`;
    }
    usedSlugs.add(slug);
    docs.push(datagouvDocument(d, slug, owner, prev, ours));
  }
  if (errors.length) throw new ValidationError(`Import data.gouv.fr refusé : ${errors.length} erreur(s), rien n’a été modifié.`, errors);
  return docs;
}
