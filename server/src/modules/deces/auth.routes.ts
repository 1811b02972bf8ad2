import { randomInt } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'drizzle-orm';
import { matchIdAuthBody, matchIdAuthQuery, matchIdRegisterBody, matchIdRegistered, matchIdToken } from '@patrimoine/contracts/deces';
import { problem } from '@patrimoine/contracts/common';
import { routeGroup } from '../../platform/auth/access.ts';
import type { AppContext } from '../../platform/context.ts';
import { TooManyRequestsError, UnauthorizedError } from '../../platform/errors.ts';
import { hashPassword, sha256, verifyPassword } from '../../platform/auth/password.ts';
import { requireUser } from '../../platform/auth/principal.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { rowsOf } from './deces.repository.ts';
import { API } from './deces.routes.ts';
import { withMsg } from './matchid.ts';

/**
 * matchID's authentication routes mapped onto our accounts and personal API tokens (ADR 0306):
 * `POST /auth {user, password}` → `{access_token}`; `GET /auth` (`?refresh=true`) → the token's dates, or
 * a renewed token; `POST /register {user}` → a one-time code by e-mail, usable once as the password.
 * The token is one of our `pat_…` API tokens (opaque, hashed at rest), named after its lineage so that a
 * refresh keeps matchID's creation date and its one-year renewal limit.
 */
const TOKEN_DAYS = 30;
const RENEWAL_LIMIT_S = 2592000 * 12;
const OTP_TTL_MS = 15 * 60_000;
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 15 * 60_000;
const MAX_CODES_PER_HOUR = 5;
const NAME_RE = /^matchID \/auth (\d{9,11})$/;

export function authCompatRoutes(ctx: AppContext): FastifyPluginAsync {
  const key = (s: string) => `${ctx.env.REDIS_PREFIX ?? ''}deces.auth:${s}`;
  let dummy: Promise<string> | null = null;

  async function accountOf(user: string) {
    const byLogin = await ctx.usersRepo.findByLogin(user);
    if (byLogin) return byLogin;
    const [r] = rowsOf(await ctx.db.execute(sql`SELECT id FROM users WHERE lower(email) = lower(${user}) AND active LIMIT 2`)) as { id: string }[];
    return r ? ctx.usersRepo.findById(r.id) : null;
  }

  async function issue(userId: string, createdAtS: number, now: Date) {
    const left = createdAtS + RENEWAL_LIMIT_S - Math.floor(now.getTime() / 1000);
    const days = Math.max(1, Math.min(TOKEN_DAYS, Math.floor(left / 86400)));
    const { token, row } = await ctx.auth.createToken(userId, `matchID /auth ${createdAtS}`, days, { id: userId, label: 'matchID /auth' });
    return {
      access_token: token,
      created_at: String(createdAtS),
      expiration_date: String(Math.floor(row.expiresAt!.getTime() / 1000)),
      renewal_limit_date: String(createdAtS + RENEWAL_LIMIT_S),
    };
  }

  const wrong = () => withMsg(new UnauthorizedError('Identifiant ou mot de passe incorrect.'), 'Wrong username or password');

  return async (app0) => {
    await app0.register(
      routeGroup('public', async (g) => {
        const app = g.withTypeProvider<ZodTypeProvider>();
        app.post(
          `${API}/auth`,
          {
            schema: {
              tags: ['deces'],
              operationId: 'matchIdAuth',
              summary: 'Jeton d’accès (contrat matchID) : identifiant et mot de passe, ou code reçu par courriel',
              description:
                '`{ user, password }` : l’identifiant (ou l’adresse électronique) et le mot de passe d’un compte, ou le code à usage unique envoyé par `POST /register`. ' +
                'Répond `{ access_token, created_at, expiration_date, renewal_limit_date }` ; le jeton (30 jours, renouvelable un an) s’envoie en `Authorization: Bearer`. 401 `{ msg: "Wrong username or password" }`.',
              body: matchIdAuthBody,
              response: { 200: matchIdToken, 401: problem, 429: problem },
            },
          },
          async (req) => {
            const { user, password } = req.body;
            const fails = key(`fail:${user.toLowerCase()}`);
            if ((await ctx.counters.get(fails)) >= MAX_FAILURES)
              throw withMsg(
                new TooManyRequestsError('Trop de tentatives : réessayez dans quelques minutes.', FAILURE_WINDOW_MS / 1000),
                'error - too many attempts',
              );
            const account = await accountOf(user);
            let ok = false;
            if (account?.active) {
              const otp = key(`otp:${account.id}:${sha256(password)}`);
              if ((await ctx.counters.get(otp)) > 0) {
                await ctx.counters.reset(otp);
                ok = true;
              } else if (account.passwordHash) ok = await verifyPassword(password, account.passwordHash);
            } else {
              dummy ??= hashPassword('matchid-dummy', ctx.env.PATRIMOINE_SCRYPT_N ?? 16384);
              await verifyPassword(password, await dummy);
            }
            if (!ok || !account) {
              await ctx.counters.incr(fails, FAILURE_WINDOW_MS);
              throw wrong();
            }
            await ctx.counters.reset(fails);
            const now = ctx.clock.now();
            return { msg: 'jwt properly generated', ...(await issue(account.id, Math.floor(now.getTime() / 1000), now)) };
          },
        );

        app.post(
          `${API}/register`,
          {
            schema: {
              tags: ['deces'],
              operationId: 'matchIdRegister',
              summary: 'Code à usage unique par courriel (contrat matchID)',
              description:
                '`{ user }` : l’adresse électronique d’un compte. Un code à 6 chiffres, valable 15 minutes et une seule fois, est envoyé à cette adresse ; il sert de mot de passe à `POST /auth`. ' +
                'La réponse est la même que l’adresse corresponde ou non à un compte.',
              body: matchIdRegisterBody,
              response: { 200: matchIdRegistered, 429: problem },
            },
          },
          async (req) => {
            const email = req.body.user.trim();
            const sent = await ctx.counters.incr(key(`register:${email.toLowerCase()}`), 3600_000);
            if (sent.count > MAX_CODES_PER_HOUR)
              throw withMsg(
                new TooManyRequestsError('Trop de codes demandés pour cette adresse : réessayez dans une heure.', Math.ceil(sent.ttlMs / 1000)),
                "Coudn't send mail",
              );
            const [r] = rowsOf(await ctx.db.execute(sql`SELECT id FROM users WHERE lower(email) = lower(${email}) AND active LIMIT 2`)) as { id: string }[];
            if (r) {
              const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
              // Only the code's hash is kept (in the shared counters store), for 15 minutes.
              await ctx.counters.incr(key(`otp:${r.id}:${sha256(code)}`), OTP_TTL_MS);
              await ctx.db.transaction(async (tx) => {
                await recordAudit(tx as never, {
                  actor: { id: r.id, label: 'matchID /register' },
                  action: 'deces.auth.code',
                  entityType: 'user',
                  entityId: r.id,
                });
                await ctx.mail.send(
                  {
                    to: email,
                    subject: 'Votre code de connexion à l’API des personnes décédées',
                    text:
                      `Bonjour,\n\nVotre code de connexion est : ${code}\n\nIl est valable 15 minutes, une seule fois : saisissez-le comme mot de passe.\n` +
                      `Si vous n’avez pas demandé ce code, ignorez ce message : personne ne peut se connecter sans lui.\n\n— Patrimoine, API des personnes décédées`,
                  },
                  { tx: tx as never },
                );
              });
            }
            return { valid: true, msg: 'Un code de connexion a été envoyé à cette adresse si elle correspond à un compte.' };
          },
        );
      }),
    );

    await app0.register(
      routeGroup('authenticated', async (g) => {
        const app = g.withTypeProvider<ZodTypeProvider>();
        app.get(
          `${API}/auth`,
          {
            schema: {
              tags: ['deces'],
              operationId: 'matchIdAuthCheck',
              summary: 'Dates du jeton, ou jeton renouvelé avec `refresh=true` (contrat matchID)',
              querystring: matchIdAuthQuery,
              response: { 200: matchIdToken, 401: problem },
            },
          },
          async (req: FastifyRequest<{ Querystring: { refresh?: string } }>) => {
            const p = requireUser(req.caller);
            const bearerToken = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
            const found = bearerToken ? await ctx.usersRepo.findToken(sha256(bearerToken)) : null;
            if (!found || found.u.id !== p.userId) throw withMsg(new UnauthorizedError('Jeton d’accès attendu (Authorization: Bearer).'), 'No token provided');
            const t = found.t;
            const createdAtS = Number(NAME_RE.exec(t.name)?.[1] ?? Math.floor(t.createdAt.getTime() / 1000));
            const now = ctx.clock.now();
            if (req.query.refresh === 'true') {
              if (Math.floor(now.getTime() / 1000) >= createdAtS + RENEWAL_LIMIT_S) return { msg: "Token can't be refreshed for more than 1 year" };
              const next = await issue(p.userId, createdAtS, now);
              // The previous token stays valid 5 minutes (requests already sent with it), then expires.
              const soon = new Date(now.getTime() + 5 * 60_000);
              if (!t.expiresAt || t.expiresAt > soon) await ctx.usersRepo.updateToken(t.id, { expiresAt: soon });
              return { msg: 'jwt has been properly renewed', ...next };
            }
            return {
              msg: 'jwt is valid',
              created_at: String(createdAtS),
              expiration_date: t.expiresAt ? String(Math.floor(t.expiresAt.getTime() / 1000)) : '',
              renewal_limit_date: String(createdAtS + RENEWAL_LIMIT_S),
            };
          },
        );
      }),
    );
  };
}
