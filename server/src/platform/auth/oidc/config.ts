import type { Env } from '../../../env.ts';

/** ProConnect's current acr values (eIDAS levels, ProConnect norm of 2026; ADR 0011). */
export const PROCONNECT_ACR_VALUES = ['eidas0', 'eidas0-mfa', 'eidas1', 'eidas1-mfa', 'eidas2', 'eidas3'] as const;

export interface ProConnectConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** Base of our redirect URIs (`<base>/api/auth/proconnect/callback`). */
  redirectBase: string;
  signingAlg: 'RS256' | 'ES256';
  defaultRole: 'reader' | 'reviewer' | 'editor';
  disableLocalPassword: boolean;
  /** http issuers allowed (the local provider of development and tests only). */
  allowInsecure: boolean;
}

/**
 * Parses `role=acr|acr;role=acr…`. Throws with a French message naming the faulty part, so that a
 * mistyped policy stops start-up rather than silently letting an administrator in without MFA.
 */
export function parseAcrPolicy(text: string): Record<string, string[]> {
  const policy: Record<string, string[]> = {};
  for (const part of text.split(';').map((p) => p.trim())) {
    if (!part) continue;
    const m = /^([a-z_]{1,40})\s*=\s*(.+)$/.exec(part);
    if (!m) throw new Error(`PATRIMOINE_PROCONNECT_ACR_POLICY : « ${part} » n’est pas de la forme rôle=acr|acr`);
    const values = m[2]!
      .split('|')
      .map((v) => v.trim())
      .filter(Boolean);
    if (!values.length || values.some((v) => !/^[A-Za-z0-9:/._-]{1,200}$/.test(v))) {
      throw new Error(`PATRIMOINE_PROCONNECT_ACR_POLICY : valeurs acr invalides pour le rôle ${m[1]}`);
    }
    policy[m[1]!] = values;
  }
  return policy;
}

/** The ProConnect configuration, or null when the issuer, client id or secret is missing. */
export function proconnectConfig(env: Env, override?: { issuer: string; clientId: string; clientSecret: string }): ProConnectConfig | null {
  const issuer = override?.issuer ?? env.PATRIMOINE_PROCONNECT_ISSUER;
  const clientId = override?.clientId ?? env.PATRIMOINE_PROCONNECT_CLIENT_ID;
  const clientSecret = override?.clientSecret ?? env.PATRIMOINE_PROCONNECT_CLIENT_SECRET;
  if (!issuer || !clientId || !clientSecret) return null;
  return {
    issuer: issuer.replace(/\/$/, ''),
    clientId,
    clientSecret,
    scopes: env.PATRIMOINE_PROCONNECT_SCOPES,
    redirectBase: (env.PATRIMOINE_PROCONNECT_REDIRECT_BASE ?? env.publicUrl).replace(/\/$/, ''),
    signingAlg: env.PATRIMOINE_PROCONNECT_SIGNING_ALG,
    defaultRole: env.PATRIMOINE_PROCONNECT_DEFAULT_ROLE,
    disableLocalPassword: env.PATRIMOINE_PROCONNECT_DISABLE_LOCAL_PASSWORD,
    allowInsecure: env.NODE_ENV !== 'production' && issuer.startsWith('http://'),
  };
}
