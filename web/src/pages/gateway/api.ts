/** The gateway portal's data layer: one query-key factory and typed hooks for every call the pages make. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { WireOf } from '@patrimoine/contracts/common';
import type {
  apiInput,
  configApplyResult,
  fcDemoInfo,
  fcDemoToken,
  fcDemoTokenInput,
  gwApiDetail,
  gwApiSubscription,
  gwApiSummary,
  gwApp,
  gwAppDetail,
  gwCreatedClient,
  gwCreatedKey,
  gwKey,
  gwPlan,
  gwRotatedKey,
  gwSubscription,
  gwUsage,
  GwDecision,
  identityKey,
  planPatch,
  specVersionCreated,
} from '@patrimoine/contracts/gateway';
import { api, ApiError, qs } from '../../api/client';

export type GwApi = WireOf<typeof gwApiSummary>;
export type GwApiDetail = WireOf<typeof gwApiDetail>;
export type Plan = WireOf<typeof gwPlan>;
export type GwApp = WireOf<typeof gwApp>;
export type GwAppDetail = WireOf<typeof gwAppDetail>;
export type GwKey = WireOf<typeof gwKey>;
export type GwApiSubscription = WireOf<typeof gwApiSubscription>;
export type Usage = WireOf<typeof gwUsage>;
export type ApiBody = z.input<typeof apiInput>;
export type PlanPatchBody = z.input<typeof planPatch>;
export type FcDemoInfo = WireOf<typeof fcDemoInfo>;
export type FcDemoToken = WireOf<typeof fcDemoToken>;

/** The parts of a producer's OpenAPI document the portal renders (the document itself is free-form). */
/** The parts of a JSON Schema (OpenAPI 3.1) the portal's documentation reads. */
export interface OpenApiSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
  enum?: unknown[];
  const?: unknown;
  example?: unknown;
  examples?: unknown[];
  default?: unknown;
  minimum?: number;
  pattern?: string;
  oneOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  allOf?: OpenApiSchema[];
}
type OpenApiContent = Record<string, { schema?: OpenApiSchema; example?: unknown }>;
export interface OpenApiOperation {
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: OpenApiSchema; example?: unknown }[];
  requestBody?: { description?: string; content?: OpenApiContent };
  responses?: Record<string, { description?: string; content?: OpenApiContent }>;
}
export interface OpenApiDoc {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

const base = '/api/gateway';
const enc = encodeURIComponent;
/** Addresses also used as links (CSV exports, OpenAPI documents). */
export const gatewayUrls = {
  apis: (format?: 'csv') => `${base}/apis${qs({ format })}`,
  api: (ref: string) => `${base}/apis/${enc(ref)}`,
  spec: (ref: string, version?: number) => `${base}/apis/${enc(ref)}/openapi${qs({ version })}`,
  apiGouvPage: (ref: string) => `${base}/apis/${enc(ref)}/api-gouv.md`,
  usage: (p: { apiId?: string; applicationId?: string; format?: 'csv' }) => `${base}/usage${qs({ ...p, granularity: 'hour' })}`,
};

export const gatewayKeys = {
  all: ['gateway'] as const,
  apis: () => [...gatewayKeys.all, 'apis'] as const,
  api: (slug: string) => [...gatewayKeys.all, 'api', slug] as const,
  spec: (slug: string) => [...gatewayKeys.all, 'openapi', slug] as const,
  apiSubscriptions: (apiId: string) => [...gatewayKeys.all, 'api-subscriptions', apiId] as const,
  apps: () => [...gatewayKeys.all, 'apps'] as const,
  app: (id: string) => [...gatewayKeys.all, 'app', id] as const,
  usage: (p: { apiId?: string; applicationId?: string }) => [...gatewayKeys.all, 'usage', p.apiId ?? null, p.applicationId ?? null] as const,
  config: () => [...gatewayKeys.all, 'config'] as const,
  fcDemo: () => [...gatewayKeys.all, 'franceconnect-demo'] as const,
};

// ---------- portal ----------

export function useGatewayApis() {
  return useQuery({ queryKey: gatewayKeys.apis(), queryFn: () => api<{ items: GwApi[] }>(gatewayUrls.apis()), select: (d) => d.items });
}

export function useGatewayApi(slug: string) {
  return useQuery({ queryKey: gatewayKeys.api(slug), queryFn: () => api<GwApiDetail>(gatewayUrls.api(slug)) });
}

/** The API's OpenAPI document; a 404 means the producer has not uploaded one (not retried). */
export function useGatewayApiSpec(slug: string) {
  return useQuery({ queryKey: gatewayKeys.spec(slug), queryFn: () => api<OpenApiDoc>(gatewayUrls.spec(slug)), retry: false });
}

/**
 * « Tester l’API »: a real call through the data plane with the visitor's key (never their cookies):
 * whatever the upstream answers, error statuses included, is the result shown.
 */
export function useGatewayConsole(slug: string) {
  return useMutation({
    /** `bearer`: a citizen's FranceConnect access token, for an API behind FranceConnect. */
    mutationFn: async (v: { method: string; path: string; key: string; body: string; bearer?: string }) => {
      const t0 = performance.now();
      const withBody = v.body !== '' && v.method !== 'GET';
      const res = await fetch(`/gw/${slug}${v.path.startsWith('/') ? v.path : `/${v.path}`}`, {
        method: v.method,
        headers: {
          ...(v.key ? { 'x-api-key': v.key } : {}),
          ...(v.bearer ? { authorization: `Bearer ${v.bearer}` } : {}),
          ...(withBody ? { 'content-type': 'application/json' } : {}),
        },
        body: withBody ? v.body : undefined,
        credentials: 'omit',
      });
      const text = await res.text();
      let pretty = text;
      try {
        pretty = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        /* not JSON */
      }
      const headers = ['content-type', 'ratelimit-policy', 'ratelimit', 'retry-after']
        .filter((h) => res.headers.get(h))
        .map((h) => `${h}: ${res.headers.get(h)}`)
        .join('\n');
      return { status: res.status, headers, body: pretty.slice(0, 20000), ms: Math.round(performance.now() - t0) };
    },
  });
}

// ---------- consumers ----------

export function useGatewayApps(enabled = true) {
  return useQuery({ queryKey: gatewayKeys.apps(), queryFn: () => api<{ items: GwApp[] }>(`${base}/applications`), select: (d) => d.items, enabled });
}

export function useGatewayApp(id: string) {
  return useQuery({ queryKey: gatewayKeys.app(id), queryFn: () => api<GwAppDetail>(`${base}/applications/${enc(id)}`) });
}

export function useCreateGatewayApp() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<GwApp>(`${base}/applications`, { method: 'POST', body: { name } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: gatewayKeys.apps() }),
  });
}

/** Keys and OAuth2 clients of one application (each refreshes the application). */
export function useAppCredentials(appId: string) {
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: gatewayKeys.app(appId) });
  return {
    createKey: useMutation({
      mutationFn: () =>
        api<WireOf<typeof gwCreatedKey>>(`${base}/applications/${enc(appId)}/keys`, { method: 'POST', body: { name: 'clé', expiresInDays: 365 } }),
      onSuccess: refresh,
    }),
    rotateKey: useMutation({
      mutationFn: (keyId: string) => api<WireOf<typeof gwRotatedKey>>(`${base}/keys/${enc(keyId)}/rotate`, { method: 'POST', body: { overlapHours: 24 } }),
      onSuccess: refresh,
    }),
    revokeKey: useMutation({ mutationFn: (keyId: string) => api<GwKey>(`${base}/keys/${enc(keyId)}/revoke`, { method: 'POST' }), onSuccess: refresh }),
    createClient: useMutation({
      mutationFn: () =>
        api<WireOf<typeof gwCreatedClient>>(`${base}/applications/${enc(appId)}/clients`, { method: 'POST', body: { authMethod: 'client_secret_basic' } }),
      onSuccess: refresh,
    }),
  };
}

export function useSubscribe() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { appId: string; planId: string; reason: string }) =>
      api<WireOf<typeof gwSubscription>>(`${base}/applications/${enc(v.appId)}/subscriptions`, {
        method: 'POST',
        body: { planId: v.planId, reason: v.reason },
      }),
    onSuccess: (_r, v) => qc.invalidateQueries({ queryKey: gatewayKeys.app(v.appId) }),
  });
}

// ---------- producers ----------

/** Registers an API with a first « Standard » plan. */
export function useCreateGatewayApi() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { api: ApiBody; perSecond: number | null }) => {
      const a = await api<{ id: string }>(`${base}/apis`, { method: 'POST', body: v.api });
      await api<Plan>(`${base}/apis/${enc(a.id)}/plans`, { method: 'POST', body: { slug: 'standard', name: 'Standard', perSecond: v.perSecond } });
      return a;
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: gatewayKeys.apis() }),
  });
}

/** Declares (or removes, with null) the consent scopes of an API behind FranceConnect. */
export function useUpdateFranceConnectScopes(apiId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (franceconnectScopes: string[] | null) => api<GwApi>(`${base}/apis/${enc(apiId)}`, { method: 'PATCH', body: { franceconnectScopes } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: gatewayKeys.all }),
  });
}

/** What the local FranceConnect of the demo offers (disabled outside demo and development). */
export function useFranceConnectDemo() {
  return useQuery({ queryKey: gatewayKeys.fcDemo(), queryFn: () => api<FcDemoInfo>(`${base}/franceconnect-demo`) });
}

/** A synthetic citizen's access token from the local FranceConnect. */
export function useIssueFranceConnectDemoToken() {
  return useMutation({
    mutationFn: (body: z.input<typeof fcDemoTokenInput>) => api<FcDemoToken>(`${base}/franceconnect-demo/tokens`, { method: 'POST', body }),
  });
}

export function useUpdateGatewayPlan(planId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PlanPatchBody) => api<Plan>(`${base}/plans/${enc(planId)}`, { method: 'PATCH', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: gatewayKeys.all }),
  });
}

/** Uploads a new OpenAPI version from the text the producer pasted (refused here when it is not JSON). */
export function usePutGatewaySpec(a: { id: string; slug: string }) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        return Promise.reject(new ApiError(400, 'JSON invalide', 'Le document n’est pas un JSON valide.', [{ field: 'document', message: 'JSON invalide' }]));
      }
      return api<WireOf<typeof specVersionCreated>>(`${base}/apis/${enc(a.id)}/openapi`, { method: 'PUT', body: doc });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: gatewayKeys.spec(a.slug) }),
  });
}

/** Reads the identity verification key on demand (each reading is audited, hence not a query). */
export function useGatewayIdentityKey(apiId: string) {
  return useMutation({ mutationFn: () => api<WireOf<typeof identityKey>>(`${base}/apis/${enc(apiId)}/identity-key`) });
}

export function useGatewayApiSubscriptions(apiId: string) {
  return useQuery({
    queryKey: gatewayKeys.apiSubscriptions(apiId),
    queryFn: () => api<{ items: GwApiSubscription[] }>(`${base}/apis/${enc(apiId)}/subscriptions`),
    select: (d) => d.items,
  });
}

export function useDecideGatewaySubscription(apiId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; decision: GwDecision }) =>
      api<WireOf<typeof gwSubscription>>(`${base}/subscriptions/${enc(v.id)}/${v.decision}`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: gatewayKeys.apiSubscriptions(apiId) }),
  });
}

// ---------- dashboards and administration ----------

export function useGatewayUsage(p: { apiId?: string; applicationId?: string }) {
  return useQuery({ queryKey: gatewayKeys.usage(p), queryFn: () => api<Usage>(gatewayUrls.usage(p)) });
}

/** The declarative configuration as YAML text. */
export function useGatewayConfig() {
  return useQuery({ queryKey: gatewayKeys.config(), queryFn: () => api<string>(`${base}/config`) });
}

export function useApplyGatewayConfig() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { yaml: string; dryRun: boolean }) => api<WireOf<typeof configApplyResult>>(`${base}/config`, { method: 'POST', body: v }),
    onSuccess: (r) => (r.applied ? qc.invalidateQueries({ queryKey: gatewayKeys.all }) : undefined),
  });
}
