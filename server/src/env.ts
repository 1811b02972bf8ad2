import { z } from 'zod';
import path from 'node:path';

/**
 * The only reader of process.env. Every variable is declared here once, with its default and its
 * documentation (README's configuration table is written from these descriptions).
 */
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(8080).describe('HTTP port of the platform (UI + API).'),
  HOST: z.string().min(1).default('0.0.0.0').describe('Interface to listen on.'),
  PUBLIC_URL: z.url().optional().describe('External URL of the platform (used in links, DCAT output, OAuth2 issuer). Default http://localhost:PORT.'),
  PATRIMOINE_DATA_DIR: z.string().min(1).default('./.data').describe('Directory of the embedded PGlite database and uploaded files.'),
  PATRIMOINE_UMASK: z
    .string()
    .regex(/^0?[0-7]{3}$/, 'must be an octal umask such as 077 or 027')
    .default('077')
    .describe(
      'Process umask: files and directories the platform writes (uploads, blobs, embedded database, exports) are its owner’s only by default; 027 lets the owner’s group read them (backups by another account).',
    ),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .describe('PostgreSQL server URL. When unset, the embedded PGlite database under PATRIMOINE_DATA_DIR is used.'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10).describe('Connections per node to PostgreSQL.'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional()
    .describe('Redis URL for state shared between nodes (rate limits, caches). When unset, that state is kept in memory (one node only).'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'letters, digits, « : », « . », « - » or « _ », 64 at most')
    .default('patrimoine:')
    .describe('Prefix of every Redis key, so that several installations can share one Redis.'),
  PATRIMOINE_ORG_NAME: z.string().min(1).max(200).default("Ministère de l'Intérieur").describe('Name of the ministry shown in the header.'),
  PATRIMOINE_ADMIN_PASSWORD: z
    .string()
    .min(12, 'must be at least 12 characters')
    .max(256)
    .optional()
    .describe('Initial password of the `admin` account, on first start only. When unset, one is generated and printed once.'),
  PATRIMOINE_SEED_DEMO: bool
    .default(true)
    .describe(
      'Load demo content: each module’s demo at start when its own tables are empty (never mixed with real data); demo accounts on the first start of an empty database.',
    ),
  PATRIMOINE_SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12)
    .describe('Lifetime of a login session.'),
  PATRIMOINE_COOKIE_SECURE: z
    .enum(['auto', 'true', 'false'])
    .default('auto')
    .describe('Secure flag of the session cookie; `auto` sets it when the request came over HTTPS (X-Forwarded-Proto behind a proxy).'),
  PATRIMOINE_TRUST_PROXY: z
    .string()
    .default('loopback')
    .describe('Fastify trustProxy: `true`, `false`, a hop count or a list of addresses/CIDRs of trusted reverse proxies.'),
  PATRIMOINE_SCRYPT_N: z.coerce
    .number()
    .int()
    .refine((n) => n >= 1024 && (n & (n - 1)) === 0, 'must be a power of two ≥ 1024')
    .default(131072)
    .describe('scrypt cost parameter for new password hashes (OWASP: 2^17).'),
  PATRIMOINE_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('Maximum JSON body size in bytes.'),
  PATRIMOINE_UPLOAD_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(8 * 1024 * 1024 * 1024)
    .default(200 * 1024 * 1024)
    .describe('Maximum size of an uploaded file in bytes.'),
  PATRIMOINE_OPENDATA_ANON_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(8 * 1024 * 1024 * 1024)
    .default(10 * 1024 * 1024)
    .describe('Largest file an anonymous visitor may validate (POST /api/opendata/validate), in bytes.'),
  PATRIMOINE_OPENDATA_USER_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(8 * 1024 * 1024 * 1024)
    .default(200 * 1024 * 1024)
    .describe('Largest file a signed-in user may validate, in bytes.'),
  PATRIMOINE_OPENDATA_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(3600_000)
    .default(120_000)
    .describe('Time allowed to validate one file on the stateless endpoint, in milliseconds.'),
  PATRIMOINE_EXPLORE_CACHE_DIR: z
    .string()
    .min(1)
    .optional()
    .describe('Local cache of the Parquet extracts this node queries (default PATRIMOINE_DATA_DIR/explore-cache); the blob store keeps the originals.'),
  PATRIMOINE_EXPLORE_MEMORY_MB: z.coerce
    .number()
    .int()
    .min(64)
    .max(65536)
    .default(512)
    .describe('Memory limit of each DuckDB instance of the explore module, in MB.'),
  PATRIMOINE_EXPLORE_THREADS: z.coerce.number().int().min(1).max(64).default(2).describe('Threads of each DuckDB instance of the explore module.'),
  PATRIMOINE_EXPLORE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(15_000)
    .describe('Time allowed to one explore query (question, tabular page) before it is interrupted, in milliseconds.'),
  PATRIMOINE_EXPLORE_MAX_ROWS: z.coerce
    .number()
    .int()
    .min(10)
    .max(1_000_000)
    .default(10_000)
    .describe('Rows of a question result at most (more are cut, the result says so).'),
  PATRIMOINE_EXPLORE_EXPORT_ROWS: z.coerce
    .number()
    .int()
    .min(10)
    .max(10_000_000)
    .default(200_000)
    .describe('Rows of a CSV export of the tabular API or of a question at most.'),
  PATRIMOINE_ROLE: z
    .enum(['all', 'api', 'gateway', 'worker'])
    .default('all')
    .describe('What this node runs: `all`, `api` (UI + API, no jobs), `gateway` (data plane only), `worker` (jobs only).'),
  PATRIMOINE_JOB_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(2).describe('Jobs run at once by this node.'),
  PATRIMOINE_JOB_POLL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(60000)
    .default(1000)
    .describe(
      'How often an idle worker looks for queued jobs (enqueues wake workers at once through NOTIFY; the poll covers delayed jobs and lost notifications).',
    ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level.'),
  LOG_PRETTY: z
    .enum(['auto', 'true', 'false'])
    .default('auto')
    .describe('Human-readable logs (`true`) or JSON lines (`false`); `auto` is readable when stdout is a terminal, JSON otherwise.'),
  GATEWAY_PORT: port
    .optional()
    .describe(
      'Optional dedicated port of the API gateway data plane (/gw, /oauth, /.well-known). The main port serves them too, /gw/… on the same lean path (no platform hooks).',
    ),
  GATEWAY_SECRET_KEY: z
    .string()
    .min(32, 'must be at least 32 characters')
    .max(512)
    .optional()
    .describe(
      'Secret of the API gateway (encrypts OAuth2 signing keys at rest, signs the consumer identity header). Same value on every node. When unset, one is generated in PATRIMOINE_DATA_DIR/gateway-secret.key (single node only).',
    ),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'doit commencer par smtp:// ou smtps://')
    .optional()
    .describe(
      'SMTP server for e-mail notifications (smtp://user:pass@host:587, smtps://… for TLS). When unset, e-mails are not sent: their recipient and subject are logged.',
    ),
  MAIL_FROM: z.string().min(3).max(200).default('Patrimoine <ne-pas-repondre@patrimoine.localhost>').describe('Sender of the e-mails the platform sends.'),
  APIGOUV_PRODUCER: z
    .string()
    .regex(/^[a-z0-9-]{2,60}$/, 'identifiant de producteur api.gouv.fr attendu (minuscules, chiffres, tirets)')
    .default('minint')
    .describe('Producer slug of the ministry on api.gouv.fr (`_data/producteurs/<slug>.md`), written in the API pages the gateway exports for api.gouv.fr.'),
  DECES_WEBHOOK_ALLOW_PRIVATE: bool
    .default(false)
    .describe(
      'Lets the deaths API’s bulk webhooks use http, a port, an IP address or a loopback or private-network address (a receiver inside the ministry’s network, tests). Otherwise matchID’s rules: https on port 443 to a domain name, checked after resolution.',
    ),
  GOVERNANCE_REVIEW_PERIOD_DAYS: z.coerce
    .number()
    .int()
    .min(30)
    .max(3650)
    .default(365)
    .describe('Review policy of the cartography (A28): an asset not confirmed by its owner for this many days is flagged as stale in the catalogue.'),
  PATRIMOINE_PROCONNECT_ISSUER: z
    .url()
    .optional()
    .describe(
      'ProConnect (or any OpenID Connect provider) issuer, e.g. https://fca.integ01.dev-agentconnect.fr/api/v2 (integration) or https://auth.agentconnect.gouv.fr/api/v2 (production). Unset: no ProConnect button.',
    ),
  PATRIMOINE_PROCONNECT_CLIENT_ID: z.string().min(1).max(200).optional().describe('Client id given by ProConnect when the service was registered.'),
  PATRIMOINE_PROCONNECT_CLIENT_SECRET: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe('Client secret given by ProConnect (sent in the token request body, `client_secret_post`).'),
  PATRIMOINE_PROCONNECT_SCOPES: z
    .string()
    .max(500)
    .default('openid given_name usual_name email uid siret idp_id organization_label roles')
    .describe('Scopes requested from ProConnect (space-separated; add `phone` if needed).'),
  PATRIMOINE_PROCONNECT_ACR_POLICY: z
    .string()
    .max(1000)
    .default('admin=eidas0-mfa|eidas1-mfa|eidas2|eidas3;instructor=eidas0-mfa|eidas1-mfa|eidas2|eidas3')
    .describe(
      'acr values accepted per role for federated sessions (`role=acr|acr;role=…`); a role not listed accepts any acr. A session below its role’s level acts as a reader until the agent signs in again with MFA.',
    ),
  PATRIMOINE_PROCONNECT_REDIRECT_BASE: z
    .url()
    .optional()
    .describe(
      'Base of the redirect URIs registered with ProConnect (`<base>/api/auth/proconnect/callback`, `<base>/api/auth/proconnect/logout-callback`). Default PUBLIC_URL.',
    ),
  PATRIMOINE_PROCONNECT_DEFAULT_ROLE: z
    .enum(['reader', 'reviewer', 'editor'])
    .default('reader')
    .describe('Role of an agent provisioned at first ProConnect sign-in when no organisation rule gives one.'),
  PATRIMOINE_PROCONNECT_SIGNING_ALG: z
    .enum(['RS256', 'ES256'])
    .default('RS256')
    .describe('Algorithm of the signed ID token and signed userinfo answer, as declared when registering with ProConnect.'),
  PATRIMOINE_PROCONNECT_DISABLE_LOCAL_PASSWORD: bool
    .default(false)
    .describe('When true, an account linked to a ProConnect identity can no longer sign in with its local password.'),
  PATRIMOINE_PROCONNECT_DEV_PROVIDER: bool
    .default(false)
    .describe(
      'Development only (refused in production): start a local ProConnect-like provider (oidc-provider) on a free port of 127.0.0.1 and use it as PATRIMOINE_PROCONNECT_ISSUER, with test accounts.',
    ),
  PATRIMOINE_FRANCECONNECT_CHECKTOKEN_URL: z
    .url()
    .optional()
    .describe(
      'FranceConnect’s data-provider endpoint the gateway asks to check citizens’ access tokens (e.g. https://fcp.integ01.dev-franceconnect.fr/api/v1/checktoken). Unset: the demo’s local FranceConnect when it runs (PATRIMOINE_FRANCECONNECT_DEV_PROVIDER), otherwise APIs behind FranceConnect answer 503.',
    ),
  PATRIMOINE_FRANCECONNECT_CLIENT_ID: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Client id of Patrimoine as a FranceConnect data provider (HTTP Basic on the check), when FranceConnect gave one.'),
  PATRIMOINE_FRANCECONNECT_CLIENT_SECRET: z.string().min(1).max(500).optional().describe('Secret of Patrimoine as a FranceConnect data provider.'),
  PATRIMOINE_FRANCECONNECT_APIS: z
    .string()
    .max(2000)
    .default('droit-a-conduire=openid identite_pivot droit_a_conduire')
    .describe(
      'Former configuration of the APIs behind FranceConnect (`slug=scope scope;…`), now only a seed: at start, each API named here that has no consent scopes gets these, once per API (later changes by its managers stand). The scopes are declared on the API (portal, declarative configuration).',
    ),
  PATRIMOINE_FRANCECONNECT_DEV_PROVIDER: bool
    .optional()
    .describe(
      'Local provider playing FranceConnect’s role (synthetic citizens, its checktoken contract), refused in production. Unset: on with demo content outside production when PATRIMOINE_FRANCECONNECT_CHECKTOKEN_URL is unset.',
    ),
  PATRIMOINE_FRANCECONNECT_CACHE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(300)
    .default(30)
    .describe('How long the gateway reuses FranceConnect’s answer for a token (a revoked token keeps working at most this long).'),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium').describe('Chromium used by end-to-end tests.'),
  BLOB_STORE: z
    .enum(['fs', 's3'])
    .default('fs')
    .describe(
      'Where files (uploads, produced files) are kept: `fs` under PATRIMOINE_DATA_DIR/blobs (one node, or a volume shared by every node), `s3` in an S3-compatible bucket (several nodes).',
    ),
  S3_ENDPOINT: z.url().optional().describe('Endpoint of the S3-compatible store (MinIO, Garage, Ceph, a cloud provider); unset for AWS S3.'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (3 to 63 lowercase letters, digits, « . » or « - »)')
    .optional()
    .describe('Bucket of the blob store when BLOB_STORE=s3 (required then); it must exist.'),
  S3_REGION: z.string().min(1).max(64).default('us-east-1').describe('Region of the S3 bucket.'),
  S3_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Access key of the S3 store; unset to use the SDK’s default chain (instance role, AWS_* variables).'),
  S3_SECRET_ACCESS_KEY: z.string().min(1).max(256).optional().describe('Secret key of the S3 store (with S3_ACCESS_KEY_ID).'),
  S3_FORCE_PATH_STYLE: bool.default(false).describe('Path-style S3 URLs (`endpoint/bucket/key`), needed by MinIO and most on-premises stores.'),
  DATAGOUV_ALLOW_PRIVATE: bool
    .default(false)
    .describe('Lets the open data push reach a udata on loopback or private-network addresses (an internal udata, tests); data.gouv.fr itself needs nothing.'),
  HABILITATIONS_WEBHOOK_ALLOW_PRIVATE: bool
    .default(false)
    .describe('Lets habilitation webhooks reach loopback and private-network addresses (a receiver inside the ministry’s network, tests).'),
  HABILITATIONS_APP_ENVIRONMENT: z
    .string()
    .max(40)
    .optional()
    .describe('Value of the `X-App-Environment` header of habilitation webhooks (DataPass sends its Rails environment); defaults to NODE_ENV.'),
});

export type Env = z.infer<typeof envSchema> & { dataDir: string; publicUrl: string };

export class EnvError extends Error {
  constructor(public readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** Parses the environment; throws an EnvError naming every bad variable at once. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings are treated as unset, as shells and .env files commonly produce them.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })));
  }
  const env = parsed.data;
  if (env.BLOB_STORE === 's3' && !env.S3_BUCKET) throw new EnvError([{ variable: 'S3_BUCKET', message: 'required when BLOB_STORE=s3' }]);
  if (!env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY)
    throw new EnvError([
      { variable: env.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID', message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together' },
    ]);
  return {
    ...env,
    dataDir: path.resolve(env.PATRIMOINE_DATA_DIR),
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
  };
}

/** Variables documented in README, in declaration order. */
export function describeEnv(): { name: string; description: string; default: string }[] {
  return Object.entries(envSchema.shape).map(([name, schema]) => {
    const s = schema as z.ZodType;
    let def = '';
    try {
      const v = s.parse(undefined);
      def = v === undefined ? '' : String(v);
    } catch {
      def = '';
    }
    return { name, description: s.description ?? '', default: def };
  });
}
