import { fieldLabel } from '@patrimoine/contracts/field-labels';
import type { Db } from '../../db/client.ts';
import { ConflictError, NotFoundError, ValidationError, fieldError } from '../errors.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { generatePassword, hashPassword, passwordProblem } from './password.ts';
import { roles, type Role } from './auth.table.ts';
import { toPublicUser, type UsersRepository } from './users.repository.ts';
import type { Actor } from './principal.ts';
import type { OrganisationsRepository } from '../organisations/organisations.repository.ts';

export interface CreateUserInput {
  login: string;
  displayName: string;
  email?: string | null;
  role: Role;
  organisationCode?: string | null;
  /** When absent, a password is generated and returned once. */
  password?: string;
}

const LOGIN_RE = /^[a-z0-9][a-z0-9._-]{1,62}$/;

/** Account administration: used by the admin UI/API and by the CLI. */
export function createUsersService(deps: { db: Db; users: UsersRepository; organisations: OrganisationsRepository; scryptN: number }) {
  const { db, users, organisations, scryptN } = deps;

  async function resolveOrg(code: string | null | undefined, tx: Db): Promise<string | null> {
    if (!code) return null;
    const org = await organisations.findByCode(code, tx);
    if (!org) throw fieldError('organisationCode', `organisation « ${code} » inconnue`);
    return org.id;
  }

  return {
    async create(input: CreateUserInput, actor: Actor, requestId?: string) {
      const login = input.login.trim().toLowerCase();
      const errors = [];
      if (!LOGIN_RE.test(login)) {
        errors.push({ field: 'login', message: '2 à 63 caractères : lettres minuscules, chiffres, « . », « _ » ou « - »' });
      }
      if (!input.displayName.trim()) errors.push({ field: 'displayName', message: 'le nom est obligatoire' });
      if (!roles.includes(input.role)) errors.push({ field: 'role', message: `rôle inconnu (${roles.join(', ')})` });
      if (input.role === 'data_admin' && !input.organisationCode) {
        errors.push({ field: 'organisationCode', message: 'un administrateur de données est rattaché à une organisation' });
      }
      const generated = input.password === undefined;
      const password = input.password ?? generatePassword();
      const problem = passwordProblem(password, login);
      if (problem) errors.push({ field: 'password', message: problem });
      if (errors.length) throw new ValidationError(errors.map((e) => `${fieldLabel(e.field)} : ${e.message}`).join(' ; '), errors);
      const passwordHash = await hashPassword(password, scryptN);
      const user = await db.transaction(async (tx) => {
        if (await users.findByLogin(login, tx)) throw new ConflictError(`L’identifiant « ${login} » est déjà utilisé.`);
        const organisationId = await resolveOrg(input.organisationCode, tx);
        const u = await users.insert(
          {
            login,
            displayName: input.displayName.trim(),
            email: input.email?.trim() || null,
            role: input.role,
            organisationId,
            passwordHash,
            mustChangePassword: generated,
          },
          tx,
        );
        await recordAudit(tx, {
          actor,
          action: 'user.create',
          entityType: 'user',
          entityId: u.id,
          after: toPublicUser(u, input.organisationCode),
          requestId,
        });
        return u;
      });
      return { user: toPublicUser(user, input.organisationCode ?? null), password: generated ? password : undefined };
    },

    async update(
      id: string,
      patch: { displayName?: string; email?: string | null; role?: Role; organisationCode?: string | null; active?: boolean },
      actor: Actor,
      requestId?: string,
    ) {
      return db.transaction(async (tx) => {
        const before = await users.findById(id, tx);
        if (!before) throw new NotFoundError('Utilisateur introuvable.');
        if (actor.id === id && (patch.active === false || (patch.role && patch.role !== 'admin' && before.role === 'admin'))) {
          throw new ValidationError('Vous ne pouvez pas retirer vos propres droits d’administration ni désactiver votre compte.');
        }
        const organisationId = patch.organisationCode === undefined ? before.organisationId : await resolveOrg(patch.organisationCode, tx);
        const role = patch.role ?? before.role;
        if (role === 'data_admin' && !organisationId) {
          throw fieldError('organisationCode', 'un administrateur de données est rattaché à une organisation');
        }
        const after = await users.update(
          id,
          {
            displayName: patch.displayName?.trim() ?? before.displayName,
            email: patch.email === undefined ? before.email : patch.email?.trim() || null,
            role,
            organisationId,
            active: patch.active ?? before.active,
          },
          tx,
        );
        if (patch.active === false) await users.deleteSessionsOf(id, null, tx);
        await recordAudit(tx, {
          actor,
          action: 'user.update',
          entityType: 'user',
          entityId: id,
          before: toPublicUser(before),
          after: toPublicUser(after!),
          requestId,
        });
        const org = organisationId ? await organisations.findById(organisationId, tx) : null;
        return toPublicUser(after!, org?.code);
      });
    },

    async setRole(login: string, role: Role, actor: Actor, organisationCode?: string) {
      const u = await users.findByLogin(login);
      if (!u) throw new NotFoundError(`Utilisateur « ${login} » introuvable.`);
      return this.update(u.id, { role, ...(organisationCode !== undefined ? { organisationCode } : {}) }, actor);
    },

    /**
     * Sets a new password (generated when absent, returned once, and then to be changed at the next
     * sign-in); all sessions are closed and every personal API token is revoked: a reset is what one
     * does when an account may be in someone else's hands.
     */
    async resetPassword(login: string, actor: Actor, password?: string, requestId?: string) {
      const u = await users.findByLogin(login);
      if (!u) throw new NotFoundError(`Utilisateur « ${login} » introuvable.`);
      const generated = password === undefined;
      const pw = password ?? generatePassword();
      const problem = passwordProblem(pw, u.login);
      if (problem) throw fieldError('password', problem);
      const hash = await hashPassword(pw, scryptN);
      await db.transaction(async (tx) => {
        await users.update(u.id, { passwordHash: hash, mustChangePassword: generated }, tx);
        await users.deleteSessionsOf(u.id, null, tx);
        const revokedTokens = await users.revokeTokensOf(u.id, tx);
        await recordAudit(tx, {
          actor,
          action: 'user.reset_password',
          entityType: 'user',
          entityId: u.id,
          after: { personalCredentialsRevoked: revokedTokens },
          requestId,
        });
      });
      return { login: u.login, password: generated ? pw : undefined };
    },

    list: users.list,
    async get(id: string) {
      const u = await users.findById(id);
      if (!u) throw new NotFoundError('Utilisateur introuvable.');
      const org = u.organisationId ? await organisations.findById(u.organisationId) : null;
      return toPublicUser(u, org?.code);
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
