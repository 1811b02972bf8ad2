import { z } from 'zod';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParams, noContent, problem, formatQuery } from '@patrimoine/contracts/common';
import {
  agentToPlaceList,
  confirmLinkBody,
  logoutCallbackQuery,
  logoutRedirect,
  orgRule,
  orgRuleBody,
  orgRuleList,
  pendingLink,
  placeAgentBody,
  proconnectCallbackQuery,
  proconnectLoginQuery,
  providers,
  signedIn,
} from '@patrimoine/contracts/federation';
import type { AppContext } from '../../context.ts';
import { routeGroup, SESSION_COOKIE } from '../access.ts';
import { cookieSecure, setSessionCookie } from '../auth.routes.ts';
import { requestMeta, sendCsv, wantsCsv } from '../../http/common.ts';
import { requireUser } from '../principal.ts';
import { ProviderError } from './client.ts';
import type { FederationService } from './oidc.service.ts';

/** Cookie of a sign-in, link or sign-out flow in flight (its SHA-256 keys the `oidc_flows` row). */
export const FLOW_COOKIE = 'patrimoine_oidc';

/** A redirect: the body is empty, the `Location` header says where the browser goes. */
const redirect = (description: string) => ({
  description,
  headers: { location: { description: 'Where the browser goes next', schema: { type: 'string' } } },
  content: { 'text/plain': { schema: z.string().max(0).describe('empty') } },
});

const errors = (...codes: (400 | 401 | 403 | 404 | 409)[]) => Object.fromEntries(codes.map((c) => [c, problem])) as Record<number, typeof problem>;

/**
 * ProConnect routes (ADR 0011): the redirect to the provider, its callback, the confirmation of a link to an
 * existing account, sign-out through the provider; and the administrators' organisation rules and queue.
 */
export function federationRoutes(ctx: AppContext, fed: FederationService): FastifyPluginAsync {
  return async (app) => {
    const setFlow = (req: FastifyRequest, reply: FastifyReply, value: string) =>
      reply.setCookie(FLOW_COOKIE, value, { path: '/api/auth/proconnect', httpOnly: true, sameSite: 'lax', secure: cookieSecure(ctx, req), maxAge: 600 });
    const clearFlow = (reply: FastifyReply) => reply.clearCookie(FLOW_COOKIE, { path: '/api/auth/proconnect' });

    await app.register(
      routeGroup('public', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/auth/providers',
          {
            schema: {
              tags: ['auth'],
              operationId: 'listIdentityProviders',
              summary: 'External identity providers offered on the login page',
              response: { 200: providers },
            },
          },
          async () => ({ proconnect: { enabled: fed.enabled() } }),
        );

        p.get(
          '/api/auth/proconnect/login',
          {
            schema: {
              tags: ['auth'],
              operationId: 'startProConnectLogin',
              summary: 'Redirect to ProConnect (authorization code flow; state and nonce kept for the callback)',
              querystring: proconnectLoginQuery,
              response: { 302: redirect('To ProConnect’s authorization endpoint'), ...errors(400, 404) },
            },
          },
          async (req, reply) => {
            try {
              const { cookie, url } = await fed.startLogin(req.query, req.caller);
              setFlow(req, reply, cookie);
              return reply.redirect(url, 302);
            } catch (err) {
              if (err instanceof ProviderError) {
                req.log.warn({ code: err.code, msg: err.message }, 'proconnect: login start failed');
                return reply.redirect(`/connexion?erreur=${encodeURIComponent(err.code)}`, 302);
              }
              throw err;
            }
          },
        );

        p.get(
          '/api/auth/proconnect/callback',
          {
            schema: {
              tags: ['auth'],
              operationId: 'proConnectCallback',
              summary: 'ProConnect’s redirect back: checks state, nonce, signatures and acr, then opens the session',
              querystring: proconnectCallbackQuery,
              response: { 303: redirect('To the page asked for, the link confirmation, or the login page with ?erreur=<code>'), ...errors(400) },
            },
          },
          async (req, reply) => {
            const current = new URL(fed.redirectUri());
            for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') current.searchParams.set(k, v);
            clearFlow(reply);
            try {
              const r = await fed.callback(current, req.query, req.cookies[FLOW_COOKIE], requestMeta(req), req.cookies[SESSION_COOKIE]);
              if (r.kind === 'link') {
                setFlow(req, reply, r.cookie);
                return reply.redirect('/connexion/proconnect/lier', 303);
              }
              setSessionCookie(ctx, req, reply, r.session.token, r.session.expiresAt);
              return reply.redirect(r.returnTo, 303);
            } catch (err) {
              if (err instanceof ProviderError) {
                req.log.warn({ code: err.code, msg: err.message }, 'proconnect: sign-in refused');
                return reply.redirect(`/connexion?erreur=${encodeURIComponent(err.code.slice(0, 60))}`, 303);
              }
              throw err;
            }
          },
        );

        p.get(
          '/api/auth/proconnect/link',
          {
            schema: {
              tags: ['auth'],
              operationId: 'getPendingProConnectLink',
              summary: 'The ProConnect identity awaiting confirmation to be linked to the existing account with the same e-mail',
              response: { 200: pendingLink, ...errors(404) },
            },
          },
          async (req) => fed.pendingLink(req.cookies[FLOW_COOKIE]),
        );

        p.post(
          '/api/auth/proconnect/link',
          {
            schema: {
              tags: ['auth'],
              operationId: 'confirmProConnectLink',
              summary: 'Confirm the link (password of the existing account when it has one) and sign in',
              body: confirmLinkBody,
              response: { 200: signedIn, ...errors(400, 404, 409) },
            },
          },
          async (req, reply) => {
            const cookie = req.cookies[FLOW_COOKIE];
            clearFlow(reply);
            const r = await fed.confirmLink(cookie, req.body, requestMeta(req), req.cookies[SESSION_COOKIE]);
            setSessionCookie(ctx, req, reply, r.session.token, r.session.expiresAt);
            return { redirectTo: r.returnTo };
          },
        );

        p.get(
          '/api/auth/proconnect/logout-callback',
          {
            schema: {
              tags: ['auth'],
              operationId: 'proConnectLogoutCallback',
              summary: 'ProConnect’s redirect after end-session (state checked)',
              querystring: logoutCallbackQuery,
              response: { 303: redirect('To the login page') },
            },
          },
          async (req, reply) => {
            const ok = await fed.logoutCallback(req.cookies[FLOW_COOKIE], req.query.state);
            clearFlow(reply);
            return reply.redirect(ok ? '/connexion?deconnexion=proconnect' : '/connexion?deconnexion=1', 303);
          },
        );
      }),
    );

    await app.register(
      routeGroup('authenticated', async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.post(
          '/api/auth/proconnect/logout',
          {
            schema: {
              tags: ['auth'],
              operationId: 'logoutEverywhere',
              summary: 'Sign out; a ProConnect session also ends at the provider (the answer says where to send the browser)',
              response: { 200: logoutRedirect, ...errors(401, 403) },
            },
          },
          async (req, reply) => {
            const r = await fed.logout(requireUser(req.caller), requestMeta(req));
            reply.clearCookie(SESSION_COOKIE, { path: '/' });
            if (r.cookie) setFlow(req, reply, r.cookie);
            return { redirectUrl: r.redirectUrl };
          },
        );
      }),
    );

    await app.register(
      routeGroup({ roles: ['admin'] }, async (g) => {
        const p = g.withTypeProvider<ZodTypeProvider>();
        p.get(
          '/api/admin/federation/rules',
          {
            schema: {
              tags: ['admin'],
              operationId: 'listFederationRules',
              summary: 'Organisation rules of federated agents (JSON, or CSV with ?format=csv)',
              querystring: formatQuery,
              response: { 200: orgRuleList, ...errors(401, 403) },
            },
          },
          async (req, reply) => {
            const items = await fed.listRules(req.caller);
            if (wantsCsv(req)) {
              return sendCsv(
                reply,
                'regles-proconnect.csv',
                [
                  { key: 'siret', header: 'SIRET' },
                  { key: 'idpId', header: 'fournisseur d’identité' },
                  { key: 'emailDomain', header: 'domaine' },
                  { key: 'organisationCode', header: 'organisation' },
                  { key: 'role', header: 'rôle' },
                ],
                items,
              );
            }
            return { items };
          },
        );
        p.post(
          '/api/admin/federation/rules',
          {
            schema: {
              tags: ['admin'],
              operationId: 'createFederationRule',
              summary: 'Add an organisation rule',
              body: orgRuleBody,
              response: { 201: orgRule, ...errors(400, 401, 403, 409) },
            },
          },
          async (req, reply) => {
            const r = await fed.createRule(req.caller, req.body, requestMeta(req));
            const list = await fed.listRules(req.caller);
            return reply.status(201).send(list.find((x) => x.id === r.id)!);
          },
        );
        p.put(
          '/api/admin/federation/rules/:id',
          {
            schema: {
              tags: ['admin'],
              operationId: 'updateFederationRule',
              summary: 'Change an organisation rule',
              params: idParams,
              body: orgRuleBody,
              response: { 200: orgRule, ...errors(400, 401, 403, 404, 409) },
            },
          },
          async (req) => {
            await fed.updateRule(req.caller, req.params.id, req.body, requestMeta(req));
            return (await fed.listRules(req.caller)).find((x) => x.id === req.params.id)!;
          },
        );
        p.delete(
          '/api/admin/federation/rules/:id',
          {
            schema: {
              tags: ['admin'],
              operationId: 'deleteFederationRule',
              summary: 'Remove an organisation rule',
              params: idParams,
              response: { 204: noContent, ...errors(401, 403, 404) },
            },
          },
          async (req, reply) => {
            await fed.deleteRule(req.caller, req.params.id, requestMeta(req));
            return reply.status(204).send(null);
          },
        );
        p.get(
          '/api/admin/federation/agents-to-place',
          {
            schema: {
              tags: ['admin'],
              operationId: 'listAgentsToPlace',
              summary: 'Agents signed in through ProConnect whom no rule placed (JSON, or CSV with ?format=csv)',
              querystring: formatQuery,
              response: { 200: agentToPlaceList, ...errors(401, 403) },
            },
          },
          async (req, reply) => {
            const items = await fed.listToPlace(req.caller);
            if (wantsCsv(req)) {
              return sendCsv(
                reply,
                'agents-a-placer.csv',
                [
                  { key: 'login', header: 'identifiant' },
                  { key: 'displayName', header: 'nom' },
                  { key: 'email', header: 'courriel' },
                  { key: 'idpId', header: 'fournisseur d’identité' },
                  { key: 'siret', header: 'SIRET' },
                  { key: 'organisationLabel', header: 'organisation déclarée' },
                  { key: 'createdAt', header: 'première connexion' },
                ],
                items,
              );
            }
            return { items };
          },
        );
        p.post(
          '/api/admin/federation/agents-to-place/:id/place',
          {
            schema: {
              tags: ['admin'],
              operationId: 'placeFederatedAgent',
              summary: 'Place a queued agent in an organisation with a role',
              params: idParams,
              body: placeAgentBody,
              response: { 204: noContent, ...errors(400, 401, 403, 409) },
            },
          },
          async (req, reply) => {
            await fed.place(req.caller, req.params.id, req.body, requestMeta(req));
            return reply.status(204).send(null);
          },
        );
      }),
    );
  };
}
