/** Platform contract: roles, identity, organisations, users, tokens, jobs, audit. */
import { z } from 'zod';
import { labels } from './common.ts';

/** Roles of an account, from the ministry's data administrator down to any agent. */
export const roles = ['admin', 'data_admin', 'editor', 'reviewer', 'reader'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;
export const roleLabels = labels(roles, {
  admin: 'Administrateur ministériel',
  data_admin: 'Administrateur des données (direction)',
  editor: 'Responsable d’application ou d’API',
  reviewer: 'Relecteur',
  reader: 'Agent (lecture)',
});

/** Label shown for an audit actor that is not a person (seed, CLI, jobs). */
export const SYSTEM_ACTOR_LABEL = 'system';
/** How people read the actor labels that are not logins. */
export const actorLabel = (label: string | null | undefined): string =>
  label === SYSTEM_ACTOR_LABEL || !label ? 'le système' : label === 'anonymous' ? 'un visiteur anonyme' : label;
