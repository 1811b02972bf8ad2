import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { AppContext } from '../../context.ts';
import { proconnectConfig } from './config.ts';
import { createProConnectClient } from './client.ts';
import { createFederationService } from './oidc.service.ts';
import { federationRoutes } from './oidc.routes.ts';

/**
 * ProConnect federation (ADR 0011), registered by the app after the auth routes. With
 * PATRIMOINE_PROCONNECT_DEV_PROVIDER (never in production) a local ProConnect-like provider is started
 * on 127.0.0.1 for the demo, with organisation rules for its test agents.
 */
export function federationPlugin(ctx: AppContext): FastifyPluginAsync {
  return fp(async (app) => {
    const env = ctx.env;
    let override: { issuer: string; clientId: string; clientSecret: string } | undefined;
    if (env.PATRIMOINE_PROCONNECT_DEV_PROVIDER) {
      if (env.NODE_ENV === 'production') throw new Error('PATRIMOINE_PROCONNECT_DEV_PROVIDER is refused in production');
      const { startLocalProConnect } = await import('./local-provider.ts');
      const base = (env.PATRIMOINE_PROCONNECT_REDIRECT_BASE ?? env.publicUrl).replace(/\/$/, '');
      const clientId = env.PATRIMOINE_PROCONNECT_CLIENT_ID ?? 'patrimoine-dev';
      const clientSecret = env.PATRIMOINE_PROCONNECT_CLIENT_SECRET ?? 'patrimoine-dev-secret-not-for-production';
      const local = await startLocalProConnect({
        clientId,
        clientSecret,
        redirectUris: [`${base}/api/auth/proconnect/callback`],
        postLogoutRedirectUris: [`${base}/api/auth/proconnect/logout-callback`],
        alg: env.PATRIMOINE_PROCONNECT_SIGNING_ALG,
      });
      override = { issuer: local.issuer, clientId, clientSecret };
      app.addHook('onClose', async () => local.close());
      ctx.logger.warn({ issuer: local.issuer }, 'ProConnect: local development provider started (PATRIMOINE_PROCONNECT_DEV_PROVIDER) — not for production');
    }
    const cfg = proconnectConfig(env, override);
    const service = createFederationService({ ctx, cfg, client: cfg ? createProConnectClient(cfg) : null });
    if (env.PATRIMOINE_PROCONNECT_DEV_PROVIDER && env.PATRIMOINE_SEED_DEMO) await service.seedDemo();
    await app.register(federationRoutes(ctx, service));
  });
}
