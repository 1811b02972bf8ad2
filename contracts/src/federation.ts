/** Identity federation contract: ProConnect sign-in, organisation rules, agents to place. */
import { z } from 'zod';
import { itemsOf, timestamp } from './common.ts';
import { role } from './platform.ts';

/** What the login page needs to know about external providers. */
export const providers = z.object({
  proconnect: z.object({ enabled: z.boolean() }),
});

/** `GET /api/auth/proconnect/login` query: optional hints forwarded to ProConnect. */
export const proconnectLoginQuery = z.object({
  retour: z.string().max(500).optional().describe('Page of Patrimoine to return to (a path starting with /).'),
  mfa: z.enum(['0', '1']).optional().describe('1: demand a multi-factor acr (re-authentication for a role that needs it).'),
  login_hint: z.email().max(320).optional().describe('E-mail prefilled on ProConnect’s page.'),
  idp_hint: z.string().max(200).optional().describe('Identity provider (`idp_id`) to go to directly.'),
  siret_hint: z
    .string()
    .regex(/^\d{14}$/, 'SIRET de 14 chiffres attendu')
    .optional()
    .describe('SIRET of the organisation to suggest.'),
});

/** Provider callback query (code and state, or an error). */
export const proconnectCallbackQuery = z.object({
  code: z.string().max(2000).optional(),
  state: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
  iss: z.string().max(500).optional(),
});
export const logoutCallbackQuery = z.object({ state: z.string().max(500).optional() });

/** An identity awaiting its owner's confirmation to link it to an existing account (same e-mail). */
export const pendingLink = z.object({
  email: z.string(),
  displayName: z.string(),
  accountLogin: z.string(),
  passwordRequired: z.boolean().describe('The existing account has a local password: it must be typed to prove ownership.'),
});
export const confirmLinkBody = z.object({
  confirm: z.literal(true),
  password: z.string().max(256).optional(),
});
export const signedIn = z.object({ redirectTo: z.string() });
export const logoutRedirect = z.object({ redirectUrl: z.string().describe('Where the browser goes next: the provider’s end-session endpoint, or /.') });

/** An organisation rule for federated agents. */
export const orgRule = z.object({
  id: z.uuid(),
  siret: z.string().nullable(),
  idpId: z.string().nullable(),
  emailDomain: z.string().nullable(),
  organisationId: z.uuid(),
  organisationCode: z.string().nullable(),
  role,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const orgRuleList = itemsOf(orgRule);
export const orgRuleBody = z
  .object({
    siret: z
      .string()
      .regex(/^\d{14}$/, 'le SIRET compte 14 chiffres')
      .nullable()
      .optional(),
    idpId: z.string().trim().min(1).max(200).nullable().optional(),
    emailDomain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'domaine de courriel invalide (ex. interieur.gouv.fr)')
      .nullable()
      .optional(),
    organisationId: z.uuid(),
    role: role.default('reader'),
  })
  .strict();
export type OrgRuleBody = z.input<typeof orgRuleBody>;

/** An agent signed in through ProConnect whom no rule placed. */
export const agentToPlace = z.object({
  identityId: z.uuid(),
  userId: z.uuid(),
  login: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  idpId: z.string().nullable(),
  siret: z.string().nullable(),
  organisationLabel: z.string().nullable(),
  createdAt: timestamp,
});
export const agentToPlaceList = itemsOf(agentToPlace);
export const placeAgentBody = z.object({ organisationId: z.uuid(), role }).strict();

/** French explanation of an error a provider returned at the callback (OpenID Connect and ProConnect codes). */
export function proconnectErrorMessage(code: string | undefined): string {
  switch (code) {
    case 'access_denied':
      return 'Vous avez refusé la connexion ou le partage de vos informations avec Patrimoine sur ProConnect.';
    case 'login_required':
      return 'Aucune session ProConnect n’est ouverte : identifiez-vous de nouveau.';
    case 'consent_required':
    case 'interaction_required':
      return 'ProConnect demande une action de votre part : recommencez la connexion.';
    case 'invalid_scope':
      return 'Patrimoine a demandé à ProConnect des informations qu’il n’est pas autorisé à recevoir (scopes) : prévenez l’administrateur.';
    case 'invalid_request':
    case 'Y000400':
      return 'ProConnect a refusé la demande de connexion (paramètre invalide) : prévenez l’administrateur.';
    case 'unauthorized_client':
    case 'invalid_client':
      return 'Patrimoine n’est pas reconnu par ProConnect (identifiant ou secret client) : prévenez l’administrateur.';
    case 'temporarily_unavailable':
    case 'server_error':
      return 'ProConnect est momentanément indisponible : réessayez dans quelques minutes.';
    case 'state_mismatch':
      return 'La connexion a expiré ou a été ouverte dans un autre onglet : recommencez depuis la page de connexion.';
    case 'code_expired':
      return 'Le code de connexion a expiré avant d’être utilisé : recommencez la connexion.';
    case 'mfa_required':
      return 'Votre rôle exige une double authentification (MFA) : reconnectez-vous avec ProConnect en choisissant une méthode à deux facteurs.';
    case 'token_invalid':
      return 'La réponse de ProConnect n’a pas pu être vérifiée (signature, émetteur ou nonce) : la connexion est refusée.';
    case 'account_disabled':
      return 'Votre compte Patrimoine est désactivé : contactez l’administrateur.';
    case 'email_missing':
      return 'ProConnect n’a pas transmis d’adresse électronique vérifiée : la connexion est impossible.';
    case 'unavailable':
      return 'Le service ProConnect ne répond pas : réessayez dans quelques minutes.';
    default:
      return 'La connexion avec ProConnect a échoué : recommencez ou utilisez votre identifiant Patrimoine.';
  }
}
