/**
 * A local stand-in for data.gouv.fr (udata API v1) for tests and demonstrations: the request and
 * response shapes of opendatateam/udata's `udata/core/dataset/api.py`, `api_fields.py`, `forms.py` and
 * `udata/core/storages/api.py`, and its refusals:
 * - an unknown `X-API-KEY` → 401 `{"message": "Invalid API token"}`; a write without a key → 401;
 * - an unknown dataset → 404, an unknown resource → 404 `{"message": "Resource does not exist"}`;
 * - a dataset the key's user cannot edit → 403 `{"message": "You do not have the permission to modify that object."}`;
 * - a bad JSON payload → 400 `{"errors": {field: [messages]}, "message": …}` (WTForms messages);
 * - a bad upload → 400 `{"success": false, "error": …}` (missing file, chunk size mismatch), HTML → 415.
 * Uploaded files are kept in memory with udata's sha1 checksum. Failures can be injected (`failNext`).
 * Reuses and discussions (`udata/core/reuse/api.py`, `udata/core/discussions/api.py`) are listed by
 * `GET /api/1/reuses/?dataset=` and `GET /api/1/discussions/?for=` in udata's pager shape; they are
 * created as on data.gouv.fr (`POST /api/1/reuses/`: ReuseForm's title, description, url, type,
 * datasets; `POST /api/1/discussions/`: title, comment, subject; `POST /api/1/discussions/{id}/`:
 * comment, close), or by tests with `addReuse` and `addDiscussion`.
 */
import { createHash, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';

export interface FakeUser {
  id: string;
  /** Organisations the user is a member of (ids). */
  organizations: string[];
}

export interface FakeUdataOptions {
  /** API key → user. */
  keys: Record<string, FakeUser>;
  /** Organisations (id → name). */
  organizations?: Record<string, string>;
  /** Schema catalogue: name → versions (udata checks a resource's schema against it). */
  schemas?: Record<string, string[]>;
  /** Port to listen on (loopback); any free port by default. */
  port?: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  status: number;
  /** Multipart fields of an upload (chunk index…), for the tests. */
  fields?: Record<string, string>;
  fileBytes?: number;
}

interface FakeResource {
  id: string;
  title: string;
  description: string | null;
  filetype: string;
  type: string;
  format: string | null;
  url: string;
  latest: string;
  checksum: { type: string; value: string } | null;
  filesize: number | null;
  mime: string | null;
  schema: { name: string | null; version: string | null; url: string | null } | null;
  created_at: string;
  last_modified: string;
  extras: Record<string, unknown>;
}

interface FakeDataset {
  id: string;
  slug: string;
  title: string;
  acronym: string | null;
  description: string;
  description_short: string | null;
  license: string;
  frequency: string;
  tags: string[];
  private: boolean;
  extras: Record<string, unknown>;
  organization: { id: string; name: string } | null;
  owner: { id: string } | null;
  resources: FakeResource[];
  created_at: string;
  last_modified: string;
  deleted: string | null;
}

const FREQUENCIES = [
  'unknown', 'punctual', 'continuous', 'oneMinute', 'fiveMinutes', 'tenMinutes', 'fifteenMinutes', 'thirtyMinutes', 'hourly',
  'fourTimesADay', 'threeTimesADay', 'semidaily', 'twelveHours', 'severalTimesADay', 'daily', 'fiveTimesAWeek', 'threeTimesAWeek',
  'semiweekly', 'weekly', 'biweekly', 'threeTimesAMonth', 'semimonthly', 'monthly', 'bimonthly', 'quarterly', 'threeTimesAYear',
  'semiannual', 'annual', 'biennial', 'triennial', 'quinquennial', 'irregular', 'notPlanned',
]; // prettier-ignore
const LICENSES = [
  'notspecified',
  'fr-lo',
  'lov2',
  'odc-odbl',
  'odc-pddl',
  'odc-by',
  'cc-by',
  'cc-by-sa',
  'cc-zero',
  'other-at',
  'other-open',
  'other-pd',
  'other-closed',
  'mit',
  'apache-2.0',
  'gpl-3.0',
];
const RESOURCE_TYPES = ['main', 'documentation', 'update', 'api', 'code', 'other'];
const REQUIRED = 'This field is required.';
const NOT_FOUND = 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
const UNAUTHORIZED =
  "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.";
const FORBIDDEN = 'You do not have the permission to modify that object.';

const objectId = () => randomBytes(12).toString('hex');
const uuid = () => {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const slugify = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100) || 'fichier';
const MIME: Record<string, string> = {
  csv: 'text/csv',
  json: 'application/json',
  txt: 'text/plain',
  zip: 'application/zip',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
  pdf: 'application/pdf',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? status));
  }
}
const validation = (errors: Record<string, unknown>) => new HttpError(400, { errors, message: 'Validation error' });

export interface FakeReuseInput {
  title: string;
  url: string;
  type?: string;
  owner?: { first_name: string; last_name: string } | null;
  organization?: { name: string } | null;
  private?: boolean;
  deleted?: boolean;
}
export interface FakeDiscussionInput {
  title: string;
  user: { first_name: string; last_name: string };
  messages: { content: string; first_name: string; last_name: string; organization?: string }[];
  closed?: boolean;
}

export interface FakeUdata {
  url: string;
  /** Adds a reuse of the dataset (as a user of data.gouv.fr would); returns its id. */
  addReuse(datasetId: string, r: FakeReuseInput): string;
  /** Adds a discussion on the dataset, with its messages (the first one is the question); returns its id. */
  addDiscussion(datasetId: string, d: FakeDiscussionInput): string;
  app: FastifyInstance;
  datasets: Map<string, FakeDataset>;
  /** Content of each resource's current file. */
  files: Map<string, Buffer>;
  requests: FakeRequest[];
  /** The next `count` requests (matching `path` when given) are answered `status` (503 by default). */
  failNext(count: number, status?: number, opts?: { path?: RegExp; retryAfter?: number }): void;
  close(): Promise<void>;
}

export async function startFakeUdata(opts: FakeUdataOptions): Promise<FakeUdata> {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  // udata reads JSON itself: a body that is not JSON is refused by its own checks, not by the parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, { json: JSON.parse(body as string) as unknown });
    } catch {
      done(null, { invalid: true });
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, { other: true }));
  await app.register(multipart, { limits: { fileSize: 512 * 1024 * 1024, files: 1, fields: 20 } });

  const datasets = new Map<string, FakeDataset>();
  const files = new Map<string, Buffer>();
  const chunks = new Map<string, Map<number, Buffer>>();
  const requests: FakeRequest[] = [];
  const failures: { count: number; status: number; path?: RegExp; retryAfter?: number }[] = [];
  const orgs = opts.organizations ?? {};
  const reuses: Record<string, unknown>[] = [];
  const discussions: Record<string, unknown>[] = [];
  let base = '';

  const userOf = (req: FastifyRequest): FakeUser | null => {
    const key = req.headers['x-api-key'];
    if (key === undefined) return null;
    const user = typeof key === 'string' ? opts.keys[key] : undefined;
    if (!user) throw new HttpError(401, { message: 'Invalid API token', status: 401 });
    return user;
  };
  const secure = (req: FastifyRequest): FakeUser => {
    const u = userOf(req);
    if (!u) throw new HttpError(401, { message: UNAUTHORIZED, status: 401 });
    return u;
  };
  const datasetOf = (id: string): FakeDataset => {
    const d = datasets.get(id) ?? [...datasets.values()].find((x) => x.slug === id);
    if (!d) throw new HttpError(404, { message: NOT_FOUND, status: 404 });
    if (d.deleted) throw new HttpError(410, { message: 'Dataset has been deleted', status: 410 });
    return d;
  };
  const canEdit = (u: FakeUser, d: FakeDataset) => (d.organization ? u.organizations.includes(d.organization.id) : d.owner?.id === u.id);
  const jsonBody = (req: FastifyRequest): Record<string, unknown> => {
    const b = req.body as { json?: unknown; invalid?: boolean; other?: boolean } | undefined;
    if (!String(req.headers['content-type'] ?? '').includes('application/json') || !b || b.other)
      throw validation({ 'Content-Type': 'expecting application/json' });
    if (b.invalid || !b.json || typeof b.json !== 'object' || Array.isArray(b.json)) throw validation({ request: 'expecting a JSON object' });
    return b.json as Record<string, unknown>;
  };
  const page = (d: FakeDataset) => `${base}/datasets/${d.slug}/`;
  const out = (d: FakeDataset) => ({
    ...d,
    page: page(d),
    uri: `${base}/api/1/datasets/${d.id}/`,
    community_resources: [],
    badges: [],
    metrics: { views: 0, followers: 0, reuses: 0, discussions: 0 },
  });

  /** DatasetForm: create (no `existing`) or update (absent fields keep their value, as WTForms does with `obj`). */
  function applyDataset(body: Record<string, unknown>, u: FakeUser, existing?: FakeDataset): FakeDataset {
    const errors: Record<string, string[]> = {};
    const str = (k: string) =>
      body[k] === undefined ? undefined : body[k] === null ? null : typeof body[k] === 'string' ? (body[k] as string) : String(body[k]);
    const title = str('title') ?? existing?.title;
    if (!title?.trim()) errors.title = [REQUIRED];
    else if (title.length > 350) errors.title = ['Field cannot be longer than 350 characters.'];
    const description = str('description') ?? existing?.description;
    if (!description?.trim()) errors.description = [REQUIRED];
    else if (description.length > 100_000) errors.description = ['Field cannot be longer than 100000 characters.'];
    const frequency = str('frequency') ?? existing?.frequency ?? 'unknown';
    if (!FREQUENCIES.includes(frequency)) errors.frequency = ['Not a valid choice.'];
    const license = str('license') ?? existing?.license ?? 'notspecified';
    if (!LICENSES.includes(license)) errors.license = ['Not a valid choice.'];
    if (body.tags !== undefined && (!Array.isArray(body.tags) || body.tags.some((t) => typeof t !== 'string' || t.length < 3 || t.length > 96)))
      errors.tags = ['Tag length must be between 3 and 96 characters.'];
    if (body.extras !== undefined && (typeof body.extras !== 'object' || body.extras === null || Array.isArray(body.extras)))
      errors.extras = ['Wrong extras format.'];
    let organization = existing?.organization ?? null;
    const orgRaw = body.organization;
    if (orgRaw !== undefined && orgRaw !== null) {
      const id = typeof orgRaw === 'string' ? orgRaw : typeof orgRaw === 'object' ? String((orgRaw as { id?: unknown }).id ?? '') : '';
      if (!(id in orgs)) errors.organization = ['Unknown identifier'];
      else if (!u.organizations.includes(id)) errors.organization = ['Permission denied for this organization'];
      else if (existing?.organization && existing.organization.id !== id)
        errors.organization = ['Cannot change owner after creation. Please use transfer feature.'];
      else organization = { id, name: orgs[id]! };
    }
    if (Object.keys(errors).length) throw validation(errors);
    const now = new Date().toISOString();
    const d: FakeDataset = existing ?? {
      id: objectId(),
      slug: '',
      title: '',
      acronym: null,
      description: '',
      description_short: null,
      license: 'notspecified',
      frequency: 'unknown',
      tags: [],
      private: false,
      extras: {},
      organization: null,
      owner: organization ? null : { id: u.id },
      resources: [],
      created_at: now,
      last_modified: now,
      deleted: null,
    };
    d.title = title!;
    d.description = description!;
    d.frequency = frequency;
    d.license = license;
    if (body.acronym !== undefined) d.acronym = str('acronym') ?? null;
    if (body.description_short !== undefined) d.description_short = str('description_short') ?? null;
    if (body.tags !== undefined) d.tags = (body.tags as string[]).map((t) => t.toLowerCase());
    if (body.private !== undefined) d.private = body.private === true;
    if (body.extras !== undefined) d.extras = { ...d.extras, ...(body.extras as Record<string, unknown>) };
    d.organization = organization;
    if (organization) d.owner = null;
    if (!d.slug) {
      let slug = slugify(d.title);
      for (let i = 1; [...datasets.values()].some((x) => x.slug === slug); i++) slug = `${slugify(d.title)}-${i}`;
      d.slug = slug;
    }
    d.last_modified = now;
    return d;
  }

  async function receiveUpload(req: FastifyRequest, entry: FakeRequest): Promise<{ name: string; content: Buffer } | 'progress'> {
    if (!req.isMultipart()) throw new HttpError(400, { success: false, error: 'Missing file parameter' });
    const fields: Record<string, string> = {};
    let file: Buffer | null = null;
    let fileName = '';
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        file = await part.toBuffer();
        fileName = part.filename;
      } else fields[part.fieldname] = String(part.value);
    }
    entry.fields = fields;
    entry.fileBytes = file?.length;
    const totalparts = Number(fields.totalparts ?? 0);
    if (totalparts > 1) {
      const id = fields.uuid ?? '';
      if (file) {
        if (file.length !== Number(fields.chunksize)) throw new HttpError(400, { success: false, error: 'Chunk size mismatch' });
        const parts = chunks.get(id) ?? new Map<number, Buffer>();
        parts.set(Number(fields.partindex), file);
        chunks.set(id, parts);
        return 'progress';
      }
      const parts = chunks.get(id);
      if (!parts || parts.size !== totalparts) throw new HttpError(400, { message: `Chunks missing: ${parts?.size ?? 0} of ${totalparts} received` });
      const content = Buffer.concat([...Array(totalparts).keys()].map((i) => parts.get(i)!));
      chunks.delete(id);
      return { name: fields.filename ?? 'fichier', content };
    }
    if (!file) throw new HttpError(400, { success: false, error: 'Missing file parameter' });
    return { name: fileName, content: file };
  }

  function storeFile(d: FakeDataset, name: string, content: Buffer, target?: FakeResource): FakeResource {
    const ext = (name.split('.').pop() ?? '').toLowerCase();
    const fsName = slugify(name);
    const mime = MIME[ext] ?? 'application/octet-stream';
    if (mime.includes('html')) throw new HttpError(415, { message: 'Incorrect file content type: HTML' });
    const now = new Date().toISOString();
    const r: FakeResource = target ?? {
      id: uuid(),
      title: fsName,
      description: null,
      filetype: 'file',
      type: 'main',
      format: ext || null,
      url: '',
      latest: '',
      checksum: null,
      filesize: null,
      mime,
      schema: null,
      created_at: now,
      last_modified: now,
      extras: {},
    };
    const stamp = now.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    r.url = `${base}/resources/${d.slug}/${stamp}/${fsName}`;
    r.latest = `${base}/api/1/datasets/r/${r.id}`;
    r.title = target ? r.title : fsName;
    r.checksum = { type: 'sha1', value: createHash('sha1').update(content).digest('hex') };
    r.filesize = content.length;
    r.mime = mime;
    r.format = ext || null;
    r.last_modified = now;
    files.set(r.id, content);
    if (!target) d.resources.push(r);
    d.last_modified = now;
    return r;
  }

  const handle =
    (fn: (req: FastifyRequest, entry: FakeRequest) => Promise<{ status: number; body: unknown }>) => async (req: FastifyRequest, reply: FastifyReply) => {
      const entry: FakeRequest = { method: req.method, path: req.url, status: 0 };
      requests.push(entry);
      const f = failures.find((x) => x.count > 0 && (!x.path || x.path.test(req.url)));
      try {
        if (f) {
          f.count--;
          if (req.isMultipart()) for await (const part of req.parts()) if (part.type === 'file') await part.toBuffer();
          if (f.retryAfter !== undefined) reply.header('retry-after', String(f.retryAfter));
          throw new HttpError(f.status, { message: f.status === 503 ? 'Service Unavailable' : 'Too Many Requests', status: f.status });
        }
        const r = await fn(req, entry);
        entry.status = r.status;
        return reply.status(r.status).send(r.body);
      } catch (e) {
        const err = e instanceof HttpError ? e : new HttpError(500, { message: 'Internal Server Error' });
        entry.status = err.status;
        return reply.status(err.status).send(err.body);
      }
    };

  type P = { id: string; rid: string };
  app.get(
    '/api/1/datasets/:id/',
    handle(async (req) => {
      userOf(req);
      const d = datasetOf((req.params as P).id);
      return { status: 200, body: out(d) };
    }),
  );
  app.post(
    '/api/1/datasets/',
    handle(async (req) => {
      const u = secure(req);
      const d = applyDataset(jsonBody(req), u);
      datasets.set(d.id, d);
      return { status: 201, body: out(d) };
    }),
  );
  app.put(
    '/api/1/datasets/:id/',
    handle(async (req) => {
      userOf(req);
      const d = datasetOf((req.params as P).id);
      const u = secure(req);
      if (!canEdit(u, d)) throw new HttpError(403, { message: FORBIDDEN });
      const copy = structuredClone(d);
      applyDataset(jsonBody(req), u, copy);
      datasets.set(d.id, copy);
      return { status: 200, body: out(copy) };
    }),
  );
  app.post(
    '/api/1/datasets/:id/upload/',
    handle(async (req, entry) => {
      userOf(req);
      const d = datasetOf((req.params as P).id);
      const u = secure(req);
      if (!canEdit(u, d)) throw new HttpError(403, { message: FORBIDDEN });
      const got = await receiveUpload(req, entry);
      if (got === 'progress') return { status: 200, body: { success: true } };
      return { status: 201, body: { ...storeFile(d, got.name, got.content), success: true } };
    }),
  );
  const resourceOf = (d: FakeDataset, rid: string) => {
    const r = d.resources.find((x) => x.id === rid);
    if (!r) throw new HttpError(404, { message: 'Resource does not exist', status: 404 });
    return r;
  };
  app.post(
    '/api/1/datasets/:id/resources/:rid/upload/',
    handle(async (req, entry) => {
      userOf(req);
      const { id, rid } = req.params as P;
      const d = datasetOf(id);
      const u = secure(req);
      if (!canEdit(u, d)) throw new HttpError(403, { message: FORBIDDEN });
      const r = resourceOf(d, rid);
      const got = await receiveUpload(req, entry);
      if (got === 'progress') return { status: 200, body: { success: true } };
      return { status: 200, body: { ...storeFile(d, got.name, got.content, r), success: true } };
    }),
  );
  app.get(
    '/api/1/datasets/:id/resources/:rid/',
    handle(async (req) => {
      userOf(req);
      const { id, rid } = req.params as P;
      return { status: 200, body: resourceOf(datasetOf(id), rid) };
    }),
  );
  app.put(
    '/api/1/datasets/:id/resources/:rid/',
    handle(async (req) => {
      userOf(req);
      const { id, rid } = req.params as P;
      const d = datasetOf(id);
      const u = secure(req);
      if (!canEdit(u, d)) throw new HttpError(403, { message: FORBIDDEN });
      const r = resourceOf(d, rid);
      const body = jsonBody(req);
      const errors: Record<string, unknown> = {};
      const title = body.title === undefined ? r.title : String(body.title ?? '');
      if (!title.trim()) errors.title = [REQUIRED];
      else if (title.length > 350) errors.title = ['Field cannot be longer than 350 characters.'];
      const type = body.type === undefined ? r.type : String(body.type);
      if (!RESOURCE_TYPES.includes(type)) errors.type = ['Not a valid choice.'];
      if (body.filetype !== undefined && body.filetype !== r.filetype) throw new HttpError(400, { message: 'Cannot modify filetype after creation' });
      let schema = r.schema;
      if ('schema' in body) {
        const s = body.schema as { name?: string | null; version?: string | null; url?: string | null } | null;
        if (s === null) schema = null;
        else if (typeof s !== 'object') errors.schema = ['Invalid input.'];
        else {
          const catalogue = opts.schemas ?? {};
          const name = s.name ?? null;
          const version = s.version ?? null;
          if (s.url && !/^https?:\/\/\S+$/.test(s.url)) errors.schema = { url: [`Invalid URL "${s.url}"`] };
          else if (name && !(name in catalogue))
            errors.schema = { name: [`Schema name "${name}" is not an allowed value. Allowed values: ${Object.keys(catalogue).join(', ')}`] };
          else if (name && version && !catalogue[name]!.includes(version))
            errors.schema = {
              version: [
                `Version "${version}" is not an allowed value for the schema "${name}". Allowed versions: ${[...catalogue[name]!, 'latest'].join(', ')}`,
              ],
            };
          else schema = { name, version, url: s.url ?? null };
        }
      }
      if (Object.keys(errors).length) throw validation(errors);
      r.title = title;
      r.type = type;
      if (body.description !== undefined) r.description = body.description === null ? null : String(body.description);
      r.schema = schema;
      r.last_modified = new Date().toISOString();
      // Server-computed fields of a hosted file (url, checksum, filesize…) are not taken from the client.
      return { status: 200, body: r };
    }),
  );

  /** udata's pager (`page`, `page_size` ≤ 100 here), `next_page` as an absolute URL or null. */
  const pager = (req: FastifyRequest, all: Record<string, unknown>[]) => {
    const q = req.query as Record<string, string | undefined>;
    const page = Math.max(1, Number(q.page ?? 1) || 1);
    const size = Math.min(100, Math.max(1, Number(q.page_size ?? 20) || 20));
    const data = all.slice((page - 1) * size, page * size);
    const next = page * size < all.length ? new URL(req.url, base) : null;
    next?.searchParams.set('page', String(page + 1));
    return { data, page, page_size: size, total: all.length, next_page: next?.toString() ?? null, previous_page: null };
  };
  const userRef = (u: { first_name: string; last_name: string }) => ({
    id: objectId(),
    first_name: u.first_name,
    last_name: u.last_name,
    slug: slugify(`${u.first_name} ${u.last_name}`),
    page: `${base}/users/${slugify(`${u.first_name} ${u.last_name}`)}/`,
    avatar: null,
  });
  app.get(
    '/api/1/reuses/',
    handle(async (req) => {
      userOf(req);
      const dataset = (req.query as { dataset?: string }).dataset;
      const list = reuses.filter((r) => !r.deleted && !r.private && (!dataset || (r.datasets as { id: string }[]).some((d) => d.id === dataset)));
      return { status: 200, body: pager(req, list) };
    }),
  );
  app.get(
    '/api/1/discussions/',
    handle(async (req) => {
      userOf(req);
      const target = (req.query as { for?: string }).for;
      const list = discussions.filter((d) => !target || (d.subject as { id: string }).id === target);
      return { status: 200, body: pager(req, list) };
    }),
  );

  const REUSE_TYPES = ['api', 'application', 'idea', 'news_article', 'paper', 'post', 'visualization', 'hardware'];
  app.post(
    '/api/1/reuses/',
    handle(async (req) => {
      const u = secure(req);
      const b = jsonBody(req);
      const errors: Record<string, string[]> = {};
      for (const k of ['title', 'description', 'url', 'type']) if (typeof b[k] !== 'string' || !(b[k] as string).trim()) errors[k] = [REQUIRED];
      if (typeof b.url === 'string' && !/^https?:\/\/\S+$/.test(b.url)) errors.url = ['Invalid URL'];
      if (typeof b.type === 'string' && !REUSE_TYPES.includes(b.type)) errors.type = ['Not a valid choice.'];
      const ds = Array.isArray(b.datasets) ? (b.datasets as { id?: string }[]).map((d) => (typeof d === 'string' ? d : String(d?.id ?? ''))) : [];
      if (ds.some((id) => !datasets.has(id))) errors.datasets = ['Unknown dataset'];
      if (Object.keys(errors).length) throw validation(errors);
      const id = api.addReuse(ds[0] ?? '', { title: String(b.title), url: String(b.url), type: String(b.type), owner: { first_name: u.id, last_name: '' } });
      const r = reuses.find((x) => x.id === id)!;
      r.datasets = ds.map((x) => ({ id: x, class: 'Dataset' }));
      return { status: 201, body: r };
    }),
  );
  app.post(
    '/api/1/discussions/',
    handle(async (req) => {
      const u = secure(req);
      const b = jsonBody(req);
      const errors: Record<string, string[]> = {};
      if (typeof b.title !== 'string' || !b.title.trim()) errors.title = [REQUIRED];
      if (typeof b.comment !== 'string' || !b.comment.trim()) errors.comment = [REQUIRED];
      const subject = b.subject as { class?: string; id?: string } | undefined;
      if (!subject?.id || subject.class !== 'Dataset' || !datasets.has(subject.id)) errors.subject = ['Unknown subject'];
      if (Object.keys(errors).length) throw validation(errors);
      const id = api.addDiscussion(subject!.id!, {
        title: String(b.title),
        user: { first_name: u.id, last_name: '' },
        messages: [{ content: String(b.comment), first_name: u.id, last_name: '' }],
      });
      return { status: 201, body: discussions.find((x) => x.id === id) };
    }),
  );
  app.post(
    '/api/1/discussions/:id/',
    handle(async (req) => {
      const u = secure(req);
      const d = discussions.find((x) => x.id === (req.params as { id: string }).id);
      if (!d) throw new HttpError(404, { message: NOT_FOUND, status: 404 });
      const b = jsonBody(req);
      if (typeof b.comment !== 'string' || !b.comment.trim()) throw validation({ comment: [REQUIRED] });
      // Posting as one of the user's organisations (`organization`: its id), as the producer answers.
      const org = typeof b.organization === 'string' ? b.organization : null;
      if (org && !u.organizations.includes(org)) throw validation({ organization: ['Permission denied for this organization'] });
      (d.discussion as unknown[]).push({
        content: b.comment,
        posted_by: userRef({ first_name: u.id, last_name: '' }),
        posted_by_organization: org ? { id: org, name: orgs[org] ?? org } : null,
        posted_on: new Date().toISOString(),
      });
      if (b.close === true) d.closed = new Date().toISOString();
      return { status: 200, body: d };
    }),
  );

  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const api: FakeUdata = {
    url: base,
    addReuse(datasetId, r) {
      const id = objectId();
      const now = new Date().toISOString();
      const slug = slugify(r.title);
      reuses.push({
        id,
        title: r.title,
        slug,
        description: r.title,
        type: r.type ?? 'application',
        url: r.url,
        page: `${base}/reuses/${slug}/`,
        owner: r.owner === undefined ? userRef({ first_name: 'Camille', last_name: 'Réutilisatrice' }) : r.owner && userRef(r.owner),
        organization: r.organization ? { id: objectId(), name: r.organization.name, slug: slugify(r.organization.name) } : null,
        datasets: [{ id: datasetId, class: 'Dataset' }],
        private: r.private ?? false,
        deleted: r.deleted ? now : null,
        created_at: now,
        last_modified: now,
        image: null,
        metrics: { views: 0, followers: 0, datasets: 1 },
      });
      return id;
    },
    addDiscussion(datasetId, d) {
      const id = objectId();
      const now = new Date().toISOString();
      discussions.push({
        id,
        class: 'Discussion',
        title: d.title,
        user: userRef(d.user),
        organization: null,
        subject: { class: 'Dataset', id: datasetId },
        created: now,
        closed: d.closed ? now : null,
        closed_by: null,
        url: `${base}/api/1/discussions/${id}/`,
        extras: {},
        discussion: d.messages.map((m) => ({
          content: m.content,
          posted_by: userRef(m),
          posted_by_organization: m.organization ? { id: m.organization, name: orgs[m.organization] ?? m.organization } : null,
          posted_on: now,
        })),
      });
      return id;
    },
    app,
    datasets,
    files,
    requests,
    failNext(count, status = 503, o = {}) {
      failures.push({ count, status, path: o.path, retryAfter: o.retryAfter });
    },
    close: () => app.close(),
  };
  return api;
}
