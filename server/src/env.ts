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
  PATRIMOINE_ROLE: z
    .enum(['all', 'api', 'gateway', 'worker'])
    .default('all')
    .describe('What this node runs: `all`, `api` (UI + API, no jobs), `gateway` (data plane only), `worker` (jobs only).'),
  PATRIMOINE_JOB_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(2).describe('Jobs run at once by this node.'),
  PATRIMOINE_JOB_POLL_MS: z.coerce.number().int().min(50).max(60000).default(1000).describe('How often an idle worker looks for queued jobs.'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level.'),
  LOG_PRETTY: z
    .enum(['auto', 'true', 'false'])
    .default('auto')
    .describe('Human-readable logs (`true`) or JSON lines (`false`); `auto` is readable when stdout is a terminal, JSON otherwise.'),
  GATEWAY_PORT: port
    .optional()
    .describe(
      'Optional dedicated port of the API gateway data plane (/gw, /oauth, /.well-known): a lean HTTP server without the web platform’s hooks. The main port serves them too.',
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
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium').describe('Chromium used by end-to-end tests.'),
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
