/**
 * Push to data.gouv.fr (issue 16, ADR 0510): creates or updates a dataset and uploads or replaces its
 * resources through udata's API v1, as opendatateam/udata defines it:
 * - `POST /api/1/datasets/` (201) and `PUT /api/1/datasets/{id}/` with a JSON dataset (title and
 *   description required, `organization` an organisation id the key's user belongs to);
 * - `POST /api/1/datasets/{id}/upload/` (201, a new resource) and
 *   `POST /api/1/datasets/{id}/resources/{rid}/upload/` (200, the same resource with a new file):
 *   multipart `file`; above `chunkThreshold`, fine-uploader chunks (`uuid`, `filename`, `partindex`,
 *   `partbyteoffset`, `totalfilesize`, `totalparts`, `chunksize`, `file`, each answered
 *   `{"success": true}`), then the same form without `file` to combine them;
 * - `PUT /api/1/datasets/{id}/resources/{rid}/` to set title, description, type and `schema`
 *   ({name, version}) — the upload endpoints take no metadata;
 * - the key in `X-API-KEY` (401 without it or when unknown), errors `{"message": …}` or
 *   `{"errors": {field: [..]}, "message": …}` (400).
 * Idempotent: a resource whose remote checksum (sha1 computed by udata, or sha256) and size match the
 * local file is not uploaded again; metadata is sent only when it differs. 429 and 5xx answers and
 * network failures are retried with exponential backoff (Retry-After honoured). Every connection goes
 * through the platform's outbound policy (address checked after resolution).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { checkOutboundUrl, guardedAgent, FORBIDDEN_OUTBOUND, type OutboundPolicy } from '../../../platform/net/outbound.ts';
import type { BlobStore } from '../../../platform/blob/blob.ts';

/** data.gouv.fr's instances: production, demo (tests by producers), dev. */
export const DATAGOUV_TARGETS = {
  www: 'https://www.data.gouv.fr',
  demo: 'https://demo.data.gouv.fr',
  dev: 'https://dev.data.gouv.fr',
} as const;
export type DatagouvTarget = keyof typeof DATAGOUV_TARGETS;

export interface DatagouvClientOptions {
  /** `https://www.data.gouv.fr` (or demo, dev, a udata instance); the API is under `/api/1`. */
  baseUrl: string;
  /** The organisation's API key (data.gouv.fr profile → API key); never logged nor put in an error. */
  apiKey: string;
  /** Outbound policy: private addresses refused unless allowed (tests allow the loopback fake). */
  policy?: OutboundPolicy;
  /** Files above this size are sent in chunks (default 50 MiB). */
  chunkThreshold?: number;
  /** Size of a chunk (default 10 MiB). */
  chunkSize?: number;
  /** Attempts per request, first included (default 5). */
  maxAttempts?: number;
  /** First backoff delay (default 1 s), doubled at each attempt, 60 s at most. */
  backoffMs?: number;
  /** Waits (tests record the delays instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
  /** Per-request timeout for headers and body (default 5 min). */
  timeoutMs?: number;
  userAgent?: string;
}

export interface UdataChecksum {
  type: string;
  value: string;
}
export interface UdataSchemaRef {
  name?: string | null;
  version?: string | null;
  url?: string | null;
}
export interface UdataResource {
  id: string;
  title: string;
  description?: string | null;
  filetype: string;
  type: string;
  format?: string | null;
  url: string;
  checksum?: UdataChecksum | null;
  filesize?: number | null;
  mime?: string | null;
  schema?: UdataSchemaRef | null;
  [k: string]: unknown;
}
export interface UdataDataset {
  id: string;
  slug: string;
  title: string;
  description: string;
  page?: string;
  uri?: string;
  resources: UdataResource[];
  organization?: { id: string; name?: string } | null;
  [k: string]: unknown;
}

/** A user or organisation as udata references it (`user_ref_fields`, `org_ref_fields`). */
export interface UdataUserRef {
  id?: string;
  first_name?: string;
  last_name?: string;
  slug?: string;
  page?: string;
}
export interface UdataOrgRef {
  id?: string;
  name?: string;
  slug?: string;
  page?: string;
}
/** A reuse as `GET /api/1/reuses/?dataset=` lists it (`udata/core/reuse/api_fields.py`). */
export interface UdataReuse {
  id: string;
  title: string;
  url: string;
  type: string;
  page?: string;
  owner?: UdataUserRef | null;
  organization?: UdataOrgRef | null;
  created_at?: string;
  deleted?: string | null;
  private?: boolean;
}
/** A discussion as `GET /api/1/discussions/?for=` lists it (`udata/core/discussions/api.py`). */
export interface UdataDiscussion {
  id: string;
  title: string;
  user?: UdataUserRef | null;
  organization?: UdataOrgRef | null;
  subject?: { class: string; id: string };
  created: string;
  closed?: string | null;
  url?: string;
  discussion: { content: string; posted_by?: UdataUserRef | null; posted_by_organization?: UdataOrgRef | null; posted_on: string }[];
}
/** udata's paginated list (`fields.pager`). */
export interface UdataPage<T> {
  data: T[];
  page: number;
  page_size: number;
  total: number;
  next_page: string | null;
}

/** The dataset's metadata as sent (udata's DatasetForm fields). */
export interface DatasetInput {
  title: string;
  description: string;
  /** udata organisation id (the key's user must be a member). */
  organization?: string;
  acronym?: string;
  description_short?: string;
  /** udata licence id (`fr-lo`, `lov2`, `odc-odbl`…). */
  license?: string;
  /** udata frequency (`monthly`, `annual`, `irregular`…). */
  frequency?: string;
  tags?: string[];
  private?: boolean;
  extras?: Record<string, string | number | boolean>;
}

/** A file to publish as a resource. */
export interface ResourceInput {
  /** Caller's id of the resource (returned with its remote id). */
  localId: string;
  /** Remote id from an earlier push (null: a new resource). */
  remoteId?: string | null;
  title: string;
  description?: string;
  /** udata resource type (`main`, `documentation`, `update`, `api`, `code`, `other`). */
  type?: string;
  /** The file's name on data.gouv.fr (its extension gives the format). */
  filename: string;
  size: number;
  sha256: string;
  /** The TableSchema the file follows, as on schema.data.gouv.fr (`etalab/schema-irve-statique`, `2.3.1`). */
  schema?: { name: string; version?: string } | null;
  /** Opens the content, or a byte range of it (inclusive end): read again for a retry or a chunk. */
  open(range?: { start: number; end: number }): Promise<Readable>;
}

export interface PushInput {
  /** Remote dataset id from an earlier push (null: create it). */
  remoteId?: string | null;
  dataset: DatasetInput;
  resources: ResourceInput[];
}

export type ResourceAction = 'created' | 'replaced' | 'metadata' | 'unchanged';
export interface PushResult {
  datasetId: string;
  slug: string;
  page: string | null;
  dataset: 'created' | 'updated' | 'unchanged';
  resources: { localId: string; remoteId: string; action: ResourceAction; checksum: UdataChecksum | null }[];
  /** HTTP requests made (retries included). */
  requests: number;
}

/** A refusal or failure of data.gouv.fr, with a French message (naming the field when udata does). */
export class DatagouvError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly errors: { field: string; message: string }[] = [],
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'DatagouvError';
  }
}

const STATUS_FR: Record<number, string> = {
  400: 'requête refusée par data.gouv.fr',
  401: 'clé d’API data.gouv.fr absente, invalide, expirée ou révoquée',
  403: 'cette clé d’API n’a pas le droit de modifier ce jeu de données (membre de l’organisation ?)',
  404: 'jeu de données ou ressource introuvable sur data.gouv.fr',
  410: 'jeu de données supprimé sur data.gouv.fr',
  413: 'fichier trop volumineux pour data.gouv.fr',
  415: 'type de fichier refusé par data.gouv.fr (HTML ?)',
  423: 'data.gouv.fr est en lecture seule pour le moment',
  429: 'trop de requêtes vers data.gouv.fr',
};

/** udata's `errors` (a field → messages map, nested for sub-forms) as a flat list. */
function flattenErrors(errors: unknown, prefix = ''): { field: string; message: string }[] {
  if (!errors || typeof errors !== 'object') return [];
  const out: { field: string; message: string }[] = [];
  for (const [k, v] of Object.entries(errors as Record<string, unknown>)) {
    const field = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.push({ field, message: v });
    else if (Array.isArray(v))
      for (const m of v) {
        if (typeof m === 'string') out.push({ field, message: m });
        else out.push(...flattenErrors(m, field));
      }
    else out.push(...flattenErrors(v, field));
  }
  return out.slice(0, 50);
}

const sha1Of = async (s: Readable) => {
  const h = createHash('sha1');
  for await (const c of s as AsyncIterable<Buffer>) h.update(c);
  return h.digest('hex');
};

/** The part of an uploaded file's name udata keeps (it slugifies it); ours are safe already. */
function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() || 'fichier';
  return base.replace(/[^\w.-]+/g, '-').slice(0, 200) || 'fichier';
}

/** A multipart body streamed from fields and one file (its size known: Content-Length is exact). */
function multipart(fields: Record<string, string | number>, file: { name: string; size: number; contentType: string; open: () => Promise<Readable> } | null) {
  const boundary = `----patrimoine${randomUUID().replace(/-/g, '')}`;
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`),
  );
  const fileHead = file
    ? Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.contentType}\r\n\r\n`)
    : null;
  const tail = Buffer.from(`${file ? '\r\n' : ''}--${boundary}--\r\n`);
  const length = parts.reduce((n, p) => n + p.length, 0) + (fileHead ? fileHead.length + file!.size : 0) + tail.length;
  async function* body() {
    for (const p of parts) yield p;
    if (file && fileHead) {
      yield fileHead;
      let sent = 0;
      for await (const c of (await file.open()) as AsyncIterable<Buffer>) {
        sent += c.length;
        yield c;
      }
      if (sent !== file.size) throw new DatagouvError(`le fichier a changé pendant l’envoi (${sent} octets lus, ${file.size} attendus)`, null);
    }
    yield tail;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, length, body };
}

const MIME: Record<string, string> = {
  csv: 'text/csv',
  json: 'application/json',
  geojson: 'application/geo+json',
  zip: 'application/zip',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  parquet: 'application/vnd.apache.parquet',
  txt: 'text/plain',
  pdf: 'application/pdf',
  xml: 'application/xml',
};
const mimeOf = (name: string) => MIME[name.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';

/** The metadata fields of a dataset that a push sets, compared to decide whether to PUT. */
function datasetDiffers(remote: UdataDataset, want: DatasetInput): boolean {
  const r = remote as Record<string, unknown>;
  for (const [k, v] of Object.entries(want)) {
    if (v === undefined) continue;
    if (k === 'organization') {
      if ((remote.organization?.id ?? null) !== v) return true;
    } else if (k === 'tags') {
      const a = [...((r.tags as string[] | undefined) ?? [])].sort().join('\n');
      if (a !== [...(v as string[])].sort().join('\n')) return true;
    } else if (k === 'extras') {
      const extras = (r.extras ?? {}) as Record<string, unknown>;
      if (Object.entries(v as Record<string, unknown>).some(([ek, ev]) => extras[ek] !== ev)) return true;
    } else if (r[k] !== v) return true;
  }
  return false;
}

export class DatagouvClient {
  readonly apiBase: string;
  private readonly dispatcher: Dispatcher;
  private readonly policy: OutboundPolicy;
  private checked: Promise<void> | null = null;
  private readonly sleep: (ms: number) => Promise<void>;
  private requests = 0;
  constructor(private readonly opts: DatagouvClientOptions) {
    const base = opts.baseUrl.replace(/\/+$/, '');
    this.apiBase = `${base}/api/1`;
    this.policy = opts.policy ?? { allowPrivate: false };
    this.dispatcher = guardedAgent(this.policy, {
      connectTimeoutMs: 10_000,
      headersTimeout: opts.timeoutMs ?? 300_000,
      bodyTimeout: opts.timeoutMs ?? 300_000,
    });
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    if (!opts.apiKey || /[\r\n]/.test(opts.apiKey))
      throw new DatagouvError('clé d’API data.gouv.fr manquante ou invalide', null, [{ field: 'apiKey', message: 'clé d’API requise' }]);
  }

  private async checkBase() {
    this.checked ??= checkOutboundUrl(this.opts.baseUrl, this.policy).then((reason) => {
      if (reason) throw new DatagouvError(`adresse de data.gouv.fr refusée : ${reason}`, null, [{ field: 'baseUrl', message: reason }]);
    });
    return this.checked;
  }

  /** One call with retries; `body` is rebuilt at each attempt (a stream is read once). */
  private async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    make?: () => { contentType: string; length?: number; body: string | (() => AsyncGenerator<Buffer>) },
    ok: number[] = [200, 201],
  ): Promise<{ status: number; json: T }> {
    await this.checkBase();
    const max = Math.max(1, this.opts.maxAttempts ?? 5);
    let lastError: DatagouvError | null = null;
    for (let attempt = 1; attempt <= max; attempt++) {
      const payload = make?.();
      const headers: Record<string, string> = {
        'x-api-key': this.opts.apiKey,
        accept: 'application/json',
        'user-agent': this.opts.userAgent ?? 'Patrimoine (publication open data)',
      };
      if (payload) {
        headers['content-type'] = payload.contentType;
        if (payload.length !== undefined) headers['content-length'] = String(payload.length);
      }
      let retryAfter: number | null = null;
      try {
        this.requests++;
        const r = await request(`${this.apiBase}${path}`, {
          method,
          headers,
          body: payload ? (typeof payload.body === 'string' ? payload.body : Readable.from(payload.body())) : undefined,
          dispatcher: this.dispatcher,
        });
        const text = await r.body.text();
        let json: unknown = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = null;
        }
        if (ok.includes(r.statusCode)) return { status: r.statusCode, json: json as T };
        const retryable = r.statusCode === 429 || r.statusCode >= 500;
        const body = (json ?? {}) as { message?: unknown; errors?: unknown; error?: unknown };
        const errors = flattenErrors(body.errors);
        const remote = typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : '';
        const label = STATUS_FR[r.statusCode] ?? (retryable ? 'data.gouv.fr indisponible' : 'réponse inattendue de data.gouv.fr');
        const detail = errors.length ? ` : ${errors.map((e) => `${e.field} — ${e.message}`).join(' ; ')}` : remote ? ` (« ${remote.slice(0, 300)} »)` : '';
        lastError = new DatagouvError(`${label} (HTTP ${r.statusCode}, ${method} ${path})${detail}`, r.statusCode, errors, retryable);
        if (!retryable) throw lastError;
        const ra = r.headers['retry-after'];
        if (typeof ra === 'string' && /^\d{1,5}$/.test(ra)) retryAfter = Number(ra) * 1000;
      } catch (e) {
        if (e instanceof DatagouvError) {
          if (!e.retryable) throw e;
          lastError = e;
        } else {
          const code = (e as { code?: string }).code;
          if (code === FORBIDDEN_OUTBOUND) throw new DatagouvError(`connexion à data.gouv.fr refusée : ${(e as Error).message}`, null);
          lastError = new DatagouvError(`data.gouv.fr injoignable (${code ?? (e as Error).message})`, null, [], true);
        }
      }
      if (attempt < max) await this.sleep(retryAfter ?? Math.min(60_000, (this.opts.backoffMs ?? 1000) * 2 ** (attempt - 1)));
    }
    throw new DatagouvError(`${lastError?.message ?? 'échec'} — abandon après ${max} tentatives`, lastError?.status ?? null, lastError?.errors ?? [], true);
  }

  private json(value: unknown) {
    return () => ({ contentType: 'application/json', body: JSON.stringify(value) });
  }

  getDataset(id: string) {
    return this.call<UdataDataset>('GET', `/datasets/${encodeURIComponent(id)}/`).then((r) => r.json);
  }
  createDataset(input: DatasetInput) {
    return this.call<UdataDataset>('POST', '/datasets/', this.json(input), [201]).then((r) => r.json);
  }
  updateDataset(id: string, input: Partial<DatasetInput>) {
    return this.call<UdataDataset>('PUT', `/datasets/${encodeURIComponent(id)}/`, this.json(input), [200]).then((r) => r.json);
  }
  updateResource(datasetId: string, resource: UdataResource) {
    return this.call<UdataResource>(
      'PUT',
      `/datasets/${encodeURIComponent(datasetId)}/resources/${encodeURIComponent(resource.id)}/`,
      this.json(resource),
      [200],
    ).then((r) => r.json);
  }

  /** Every page of a paginated list (at most `maxPages` of 100), in udata's order. */
  private async pages<T>(path: string, maxPages = 10): Promise<{ items: T[]; total: number; truncated: boolean }> {
    const items: T[] = [];
    let total = 0;
    for (let page = 1; page <= maxPages; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const r = await this.call<UdataPage<T>>('GET', `${path}${sep}page=${page}&page_size=100`);
      const data = Array.isArray(r.json?.data) ? r.json.data : [];
      total = typeof r.json?.total === 'number' ? r.json.total : items.length + data.length;
      items.push(...data);
      if (!r.json?.next_page || !data.length) return { items, total, truncated: false };
    }
    return { items, total, truncated: items.length < total };
  }
  /** The reuses of a dataset (`GET /api/1/reuses/?dataset=`). */
  listReuses(datasetId: string) {
    return this.pages<UdataReuse>(`/reuses/?dataset=${encodeURIComponent(datasetId)}`);
  }
  /** The discussions of a dataset (`GET /api/1/discussions/?for=`), with their messages. */
  listDiscussions(datasetId: string) {
    return this.pages<UdataDiscussion>(`/discussions/?for=${encodeURIComponent(datasetId)}`);
  }

  /** Uploads a file as a new resource (rid null) or as the new file of resource `rid`. */
  async uploadFile(datasetId: string, rid: string | null, file: Pick<ResourceInput, 'filename' | 'size' | 'open'>): Promise<UdataResource> {
    const path = rid
      ? `/datasets/${encodeURIComponent(datasetId)}/resources/${encodeURIComponent(rid)}/upload/`
      : `/datasets/${encodeURIComponent(datasetId)}/upload/`;
    const name = safeFilename(file.filename);
    const contentType = mimeOf(name);
    const threshold = this.opts.chunkThreshold ?? 50 * 1024 * 1024;
    if (file.size <= threshold) {
      const r = await this.call<UdataResource>(
        'POST',
        path,
        () => {
          const m = multipart({}, { name, size: file.size, contentType, open: () => file.open() });
          return { contentType: m.contentType, length: m.length, body: m.body };
        },
        [200, 201],
      );
      return r.json;
    }
    const chunkSize = Math.max(1, this.opts.chunkSize ?? 10 * 1024 * 1024);
    const totalparts = Math.ceil(file.size / chunkSize);
    const uuid = randomUUID();
    for (let i = 0; i < totalparts; i++) {
      const start = i * chunkSize;
      const end = Math.min(file.size, start + chunkSize) - 1;
      const size = end - start + 1;
      const fields = { uuid, filename: name, partindex: i, partbyteoffset: start, totalfilesize: file.size, totalparts, chunksize: size };
      const r = await this.call<{ success?: boolean; error?: string }>(
        'POST',
        path,
        () => {
          const m = multipart(fields, { name: 'blob', size, contentType: 'application/octet-stream', open: () => file.open({ start, end }) });
          return { contentType: m.contentType, length: m.length, body: m.body };
        },
        [200],
      );
      if (r.json?.success === false) throw new DatagouvError(`morceau ${i + 1}/${totalparts} refusé par data.gouv.fr : ${r.json.error ?? '?'}`, r.status);
    }
    const done = await this.call<UdataResource>(
      'POST',
      path,
      () => {
        const m = multipart({ uuid, filename: name, totalfilesize: file.size, totalparts }, null);
        return { contentType: m.contentType, length: m.length, body: m.body };
      },
      [200, 201],
    );
    return done.json;
  }

  /** Whether the remote file is this one: same size and checksum (sha256, or sha1/md5 computed here). */
  private async sameFile(remote: UdataResource, file: ResourceInput): Promise<boolean> {
    const c = remote.checksum;
    if (!c?.value || (remote.filesize != null && remote.filesize !== file.size)) return false;
    const type = c.type.toLowerCase();
    const value = c.value.toLowerCase();
    if (type === 'sha256' || (type === 'sha2' && value.length === 64)) return value === file.sha256.toLowerCase();
    if (type === 'sha1') return value === (await sha1Of(await file.open()));
    if (type === 'md5') {
      const h = createHash('md5');
      for await (const chunk of (await file.open()) as AsyncIterable<Buffer>) h.update(chunk);
      return value === h.digest('hex');
    }
    return false;
  }

  /** Creates or updates the dataset, then each resource; a second identical push changes nothing. */
  async push(input: PushInput): Promise<PushResult> {
    const start = this.requests;
    let ds: UdataDataset;
    let datasetAction: PushResult['dataset'];
    if (input.remoteId) {
      ds = await this.getDataset(input.remoteId);
      if (datasetDiffers(ds, input.dataset)) {
        ds = await this.updateDataset(ds.id, input.dataset);
        datasetAction = 'updated';
      } else datasetAction = 'unchanged';
    } else {
      ds = await this.createDataset(input.dataset);
      datasetAction = 'created';
    }
    const results: PushResult['resources'] = [];
    for (const file of input.resources) {
      const existing = file.remoteId ? ds.resources.find((r) => r.id === file.remoteId) : undefined;
      let remote: UdataResource;
      let action: ResourceAction;
      if (existing && (await this.sameFile(existing, file))) {
        remote = existing;
        action = 'unchanged';
      } else {
        remote = await this.uploadFile(ds.id, existing?.id ?? null, file);
        action = existing ? 'replaced' : 'created';
      }
      const want = {
        title: file.title,
        description: file.description ?? remote.description ?? '',
        type: file.type ?? 'main',
        schema: file.schema ? { name: file.schema.name, version: file.schema.version ?? null } : null,
      };
      const sameSchema = (remote.schema?.name ?? null) === (want.schema?.name ?? null) && (remote.schema?.version ?? null) === (want.schema?.version ?? null);
      if (remote.title !== want.title || (remote.description ?? '') !== want.description || remote.type !== want.type || !sameSchema) {
        // udata checks the schema against its catalogue by name (and version when given).
        const schema = want.schema ? { name: want.schema.name, ...(want.schema.version ? { version: want.schema.version } : {}) } : null;
        const body: UdataResource = { ...remote, ...want, schema };
        remote = await this.updateResource(ds.id, body);
        if (action === 'unchanged') action = 'metadata';
      }
      results.push({ localId: file.localId, remoteId: remote.id, action, checksum: remote.checksum ?? null });
    }
    return { datasetId: ds.id, slug: ds.slug, page: ds.page ?? null, dataset: datasetAction, resources: results, requests: this.requests - start };
  }

  close() {
    return this.dispatcher.close();
  }
}

/** A resource's content read from the blob store (ranges for chunks and retries). */
export function blobSource(store: BlobStore, key: string): ResourceInput['open'] {
  return async (range) => {
    const obj = await store.get(key, range ? { range } : {});
    if (!obj) throw new DatagouvError(`fichier « ${key} » introuvable dans le magasin de fichiers`, null);
    return obj.body;
  };
}
