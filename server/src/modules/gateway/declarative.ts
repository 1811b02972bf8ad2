import fs from 'node:fs';
import type { Command } from 'commander';
import YAML from 'yaml';
import { parseYamlSafely } from '../../platform/yaml.ts';
import { z } from 'zod';
import type { AppContext, CliContext } from '../../platform/context.ts';
import { actorOf, type Actor, type Caller, type SystemCaller } from '../../platform/auth/principal.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { GatewayRepository } from './gateway.repository.ts';
import type { GatewayService } from './gateway.service.ts';
import { apiInput, planInput, slugSchema, type ConfigDiffLine } from '@patrimoine/contracts/gateway';
import { sha256 } from './secrets.ts';

/**
 * Declarative configuration (like Kong's decK): a YAML file lists APIs with their plans, and
 * applications with their subscriptions and keys (key values come from environment variables).
 * `apply` is idempotent: it computes the diff, validates everything first, then applies it.
 */
const fileSchema = z.object({
  apis: z
    .array(
      apiInput.omit({ organisationCode: true }).extend({
        organisation: z.string().max(40),
        // Omitted: left as it is (a file exported before the scopes were declared on the API does not
        // remove an API from behind FranceConnect); `null` takes it out.
        franceconnectScopes: apiInput.shape.franceconnectScopes.unwrap().optional(),
        plans: z.array(planInput).max(50).default([]),
      }),
    )
    .max(1000)
    .default([]),
  applications: z
    .array(
      z.object({
        slug: slugSchema,
        name: z.string().min(2).max(200),
        description: z.string().max(2000).default(''),
        organisation: z.string().max(40).optional(),
        subscriptions: z
          .array(z.object({ api: slugSchema, plan: slugSchema }))
          .max(100)
          .default([]),
        keys: z
          .array(z.object({ name: z.string().max(100).default(''), fromEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'nom de variable d’environnement') }))
          .max(20)
          .default([]),
      }),
    )
    .max(10_000)
    .default([]),
});
export type GatewayConfigFile = z.infer<typeof fileSchema>;

export type DiffLine = ConfigDiffLine;

/** The command line applying a file: the system, recorded as « cli » in the audit log. */
export const CLI_CALLER: SystemCaller = Object.freeze({ kind: 'system' as const, label: 'cli' });

function changed<T extends Record<string, unknown>>(current: T, wanted: Partial<T>): string[] {
  return Object.entries(wanted)
    .filter(([k, v]) => v !== undefined && JSON.stringify(current[k]) !== JSON.stringify(v))
    .map(([k]) => k);
}

export function createDeclarativeConfig(deps: { ctx: AppContext; repo: GatewayRepository; service: GatewayService; onChange: () => Promise<void> }) {
  const { ctx, repo, service, onChange } = deps;

  function parse(text: string): GatewayConfigFile {
    let raw: unknown;
    try {
      raw = parseYamlSafely(text, 'file');
    } catch (e) {
      throw new ValidationError('YAML illisible.', [{ field: 'file', message: (e as Error).message }]);
    }
    const r = fileSchema.safeParse(raw ?? {});
    if (!r.success)
      throw new ValidationError(
        'Configuration invalide.',
        r.error.issues.map((i) => ({ field: i.path.join('.') || 'file', message: i.message })),
      );
    return r.data;
  }

  /** The changes `apply` would make, after checking every reference (organisations, plans, variables). */
  async function plan(cfg: GatewayConfigFile, env: Record<string, string | undefined>) {
    const diff: DiffLine[] = [];
    const errors: { field: string; message: string }[] = [];
    const orgs = new Map((await ctx.organisations.list()).map((o) => [o.code, o]));
    const apiSlugs = new Set(cfg.apis.map((a) => a.slug));
    for (const [i, a] of cfg.apis.entries()) {
      if (!orgs.has(a.organisation.toUpperCase())) errors.push({ field: `apis.${i}.organisation`, message: `organisation « ${a.organisation} » inconnue` });
      const cur = await repo.apiBySlug(a.slug);
      const { plans, organisation: _o, ...fields } = a;
      void _o;
      if (!cur) diff.push({ op: 'create', kind: 'api', id: a.slug });
      else {
        const c = changed(cur as unknown as Record<string, unknown>, { ...fields, catalogAssetId: undefined, slug: undefined });
        diff.push({ op: c.length ? 'update' : 'unchanged', kind: 'api', id: a.slug, changes: c });
      }
      const curPlans = cur ? await repo.plansOf(cur.id) : [];
      for (const p of plans) {
        const cp = curPlans.find((x) => x.slug === p.slug);
        if (!cp) diff.push({ op: 'create', kind: 'plan', id: `${a.slug}/${p.slug}` });
        else {
          const c = changed(cp as unknown as Record<string, unknown>, {
            name: p.name,
            perSecond: p.perSecond,
            perMinute: p.perMinute,
            perDay: p.perDay,
            perMonth: p.perMonth,
            approval: p.approval,
            scopes: p.scopes,
          });
          diff.push({ op: c.length ? 'update' : 'unchanged', kind: 'plan', id: `${a.slug}/${p.slug}`, changes: c });
        }
      }
    }
    for (const [i, app] of cfg.applications.entries()) {
      if (app.organisation && !orgs.has(app.organisation.toUpperCase()))
        errors.push({ field: `applications.${i}.organisation`, message: `organisation « ${app.organisation} » inconnue` });
      const cur = await repo.appBySlug(app.slug);
      if (!cur) diff.push({ op: 'create', kind: 'application', id: app.slug });
      else {
        const c = changed(cur as unknown as Record<string, unknown>, { name: app.name, description: app.description });
        diff.push({ op: c.length ? 'update' : 'unchanged', kind: 'application', id: app.slug, changes: c });
      }
      for (const [j, s] of app.subscriptions.entries()) {
        const declared = cfg.apis.find((a) => a.slug === s.api);
        const existingApi = await repo.apiBySlug(s.api);
        if (!apiSlugs.has(s.api) && !existingApi) errors.push({ field: `applications.${i}.subscriptions.${j}.api`, message: `API « ${s.api} » inconnue` });
        else if (!(declared?.plans.some((p) => p.slug === s.plan) || (existingApi && (await repo.plansOf(existingApi.id)).some((p) => p.slug === s.plan))))
          errors.push({ field: `applications.${i}.subscriptions.${j}.plan`, message: `plan « ${s.plan} » inconnu pour l’API « ${s.api} »` });
        const sub = cur && existingApi ? await repo.subFor(cur.id, existingApi.id) : null;
        const subPlan = sub ? await repo.planById(sub.planId) : null;
        diff.push({
          op: sub && sub.state === 'active' && subPlan?.slug === s.plan ? 'unchanged' : sub ? 'update' : 'create',
          kind: 'subscription',
          id: `${app.slug}→${s.api}/${s.plan}`,
        });
      }
      for (const [j, k] of app.keys.entries()) {
        const v = env[k.fromEnv];
        if (!v) {
          errors.push({ field: `applications.${i}.keys.${j}.fromEnv`, message: `variable d’environnement ${k.fromEnv} absente` });
          continue;
        }
        if (v.length < 24) errors.push({ field: `applications.${i}.keys.${j}.fromEnv`, message: `la clé de ${k.fromEnv} doit compter 24 caractères au moins` });
        const existing = await repo.keyByHash(sha256(v));
        if (existing && cur && existing.applicationId !== cur.id)
          errors.push({ field: `applications.${i}.keys.${j}.fromEnv`, message: 'cette clé appartient à une autre application' });
        diff.push({ op: existing ? 'unchanged' : 'create', kind: 'key', id: `${app.slug}/${k.name || k.fromEnv}` });
      }
    }
    return { diff, errors };
  }

  /**
   * Applies a file as `caller`: the system (CLI, tests) or the administrator who posted it (the
   * service checks that caller's rights on every change, and audits it as them).
   */
  async function apply(cfg: GatewayConfigFile, env: Record<string, string | undefined>, caller: Caller, opts: { dryRun?: boolean } = {}) {
    const { diff, errors } = await plan(cfg, env);
    if (errors.length) throw new ValidationError(`Configuration refusée : ${errors.length} problème(s), rien n’a été appliqué.`, errors);
    if (opts.dryRun) return diff;
    await repo.inTransaction(() => applyAll(cfg, env, caller, actorOf(caller)));
    await onChange();
    return diff;
  }

  async function applyAll(cfg: GatewayConfigFile, env: Record<string, string | undefined>, caller: Caller, actor: Actor) {
    for (const a of cfg.apis) {
      const { plans, organisation, ...fields } = a;
      let cur = await repo.apiBySlug(a.slug);
      if (!cur) cur = await service.createApi(caller, { ...fields, organisationCode: organisation }, actor);
      else if (changed(cur as unknown as Record<string, unknown>, { ...fields, catalogAssetId: undefined, slug: undefined }).length) {
        const { slug: _s, ...patch } = fields;
        void _s;
        cur = await service.updateApi(caller, cur.id, { ...patch, organisationCode: organisation }, actor);
      }
      const curPlans = await repo.plansOf(cur.id);
      for (const p of plans) {
        const cp = curPlans.find((x) => x.slug === p.slug);
        if (!cp) await service.createPlan(caller, cur.id, p, actor);
        else {
          const patch = {
            name: p.name,
            perSecond: p.perSecond,
            perMinute: p.perMinute,
            perDay: p.perDay,
            perMonth: p.perMonth,
            approval: p.approval,
            scopes: p.scopes,
          };
          if (changed(cp as unknown as Record<string, unknown>, patch).length) await service.updatePlan(caller, cp.id, patch, actor);
        }
      }
    }
    for (const app of cfg.applications) {
      let cur = await repo.appBySlug(app.slug);
      if (!cur) {
        const created = await service.createApp(
          caller,
          { slug: app.slug, name: app.name, description: app.description, organisationCode: app.organisation },
          actor,
        );
        cur = (await repo.appById(created.id))!;
      }
      for (const s of app.subscriptions) {
        const api = (await repo.apiBySlug(s.api))!;
        const planRow = (await repo.plansOf(api.id)).find((p) => p.slug === s.plan)!;
        const sub = await repo.subFor(cur.id, api.id);
        if (sub && sub.state === 'active' && sub.planId === planRow.id) continue;
        await service.subscribe(caller, cur.id, planRow.id, 'configuration déclarative', actor);
      }
      for (const k of app.keys) {
        const v = env[k.fromEnv]!;
        if (await repo.keyByHash(sha256(v))) continue;
        await service.createKey(caller, cur.id, { name: k.name || k.fromEnv, expiresInDays: null }, actor, {}, v);
      }
    }
  }

  async function exportConfig(): Promise<GatewayConfigFile> {
    const apis = await repo.listApis();
    const orgs = new Map((await ctx.organisations.list()).map((o) => [o.id, o.code]));
    const apps = await repo.listApps(null);
    const out: GatewayConfigFile = { apis: [], applications: [] };
    for (const a of apis) {
      const plans = await repo.plansOf(a.id);
      out.apis.push({
        slug: a.slug,
        name: a.name,
        description: a.description,
        audience: a.audience,
        organisation: orgs.get(a.organisationId) ?? '',
        visibility: a.visibility,
        upstreamUrl: a.upstreamUrl,
        upstreamUrls: a.upstreamUrls,
        timeoutMs: a.timeoutMs,
        allowPrivateUpstream: a.allowPrivateUpstream,
        requiredScope: a.requiredScope,
        franceconnectScopes: a.franceconnectScopes ?? null,
        failPolicy: a.failPolicy,
        maxBodyBytes: a.maxBodyBytes,
        enabled: a.enabled,
        healthPath: a.healthPath,
        plans: plans.map((p) => ({
          slug: p.slug,
          name: p.name,
          keyless: p.keyless,
          perSecond: p.perSecond,
          perMinute: p.perMinute,
          perDay: p.perDay,
          perMonth: p.perMonth,
          approval: p.approval,
          scopes: p.scopes,
        })),
      });
    }
    const apiSlug = new Map(apis.map((a) => [a.id, a.slug]));
    const plans = new Map((await repo.allPlans()).map((p) => [p.id, p.slug]));
    for (const app of apps) {
      const subs = (await repo.subsOfApp(app.id)).filter((s) => s.state === 'active');
      out.applications.push({
        slug: app.slug,
        name: app.name,
        description: app.description,
        organisation: app.organisationId ? orgs.get(app.organisationId) : undefined,
        subscriptions: subs.map((s) => ({ api: apiSlug.get(s.apiId)!, plan: plans.get(s.planId)! })),
        // Key values are never exported (only their hash is stored): declare them with fromEnv.
        keys: [],
      });
    }
    return out;
  }

  return { parse, plan, apply, exportConfig, toYaml: (c: GatewayConfigFile) => YAML.stringify(c) };
}

export function formatDiff(diff: DiffLine[]): string {
  const sign = { create: '+', update: '~', unchanged: '=' } as const;
  return diff.map((d) => `${sign[d.op]} ${d.kind} ${d.id}${d.changes?.length ? ` (${d.changes.join(', ')})` : ''}`).join('\n');
}

export function registerGatewayCli(program: Command, cli: CliContext): void {
  const g = program.command('gateway').description('API gateway: declarative configuration');
  g.command('apply')
    .argument('<file>', 'YAML file (apis, applications)')
    .option('--dry-run', 'print the changes without applying them')
    .description('Apply a configuration file (idempotent, all or nothing) and print the diff')
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      const { services, close } = await cli.open();
      try {
        const d = services.gateway!.declarative;
        const cfg = d.parse(fs.readFileSync(file, 'utf8'));
        const diff = await d.apply(cfg, process.env, CLI_CALLER, { dryRun: opts.dryRun });
        process.stdout.write(formatDiff(diff) + '\n');
        const n = diff.filter((x) => x.op !== 'unchanged').length;
        process.stdout.write(opts.dryRun ? `${n} changement(s) à appliquer (simulation).\n` : `${n} changement(s) appliqué(s).\n`);
      } catch (e) {
        if (e instanceof ValidationError) {
          process.stderr.write(`${e.message}\n${e.errors.map((x) => `  - ${x.field} : ${x.message}`).join('\n')}\n`);
          process.exitCode = 1;
        } else throw e;
      } finally {
        await close();
      }
    });
  g.command('export')
    .description('Write the current configuration as YAML to standard output')
    .action(async () => {
      const { services, close } = await cli.open();
      try {
        const d = services.gateway!.declarative;
        process.stdout.write(d.toYaml(await d.exportConfig()));
      } finally {
        await close();
      }
    });
}
