import fs from 'node:fs';
import { z } from 'zod';
import { definitionInput, formInput, type Transition } from '@patrimoine/contracts/habilitations';
import type { AppContext } from '../../platform/context.ts';
import { SYSTEM, principalOfUser, type Principal } from '../../platform/auth/principal.ts';
import { parseYamlSafely } from '../../platform/yaml.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { HabilitationsService } from './habilitations.service.ts';
import { DEMO_UPSTREAMS, demoUpstreamOf, type GatewayModuleService } from '../gateway/index.ts';

/** A definitions file: DataPass's definitions with their forms, as YAML. */
export const definitionsFile = z.object({
  definitions: z.array(definitionInput.extend({ forms: z.array(formInput).max(50).default([]) })).max(200),
});

export function parseDefinitions(text: string) {
  const raw = parseYamlSafely(text, 'definitions');
  const r = definitionsFile.safeParse(raw);
  if (!r.success)
    throw new ValidationError(
      'Fichier de définitions invalide.',
      r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    );
  return r.data.definitions;
}

export const loadDemoDefinitions = () => parseDefinitions(fs.readFileSync(new URL('./seed/definitions.yaml', import.meta.url), 'utf8'));

/** Loads definitions and forms (idempotent: replaces those with the same id). */
export async function importDefinitions(svc: HabilitationsService, defs: ReturnType<typeof parseDefinitions>) {
  for (const { forms, ...d } of defs) {
    await svc.saveDefinition(SYSTEM, d);
    for (const f of forms) await svc.saveForm(SYSTEM, d.id, f);
  }
}

/** Complete, valid data for a definition's blocks (synthetic, marked as such). */
export function completeData(blocks: readonly string[], scopes: string[], n: number): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  const sirets = ['21750001600019', '21690123100011', '13002526500013', '11000201100044', '77567227221138'];
  if (blocks.includes('basic_infos'))
    Object.assign(d, { intitule: `Projet de démonstration n° ${n}`, description: 'Demande fictive de démonstration (données synthétiques).' });
  if (blocks.includes('organisation'))
    Object.assign(d, {
      siret: sirets[n % sirets.length],
      raison_sociale: ['Ville de Paris', 'Ville de Lyon', 'DINUM', 'Ministère de l’Intérieur', 'Transports Exemple SA'][n % 5],
    });
  if (blocks.includes('legal'))
    Object.assign(d, {
      cadre_juridique_nature: 'Article L. 114-8 du code des relations entre le public et l’administration',
      cadre_juridique_url: 'https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031367412',
    });
  if (blocks.includes('personal_data'))
    Object.assign(d, {
      destinataire_donnees_caractere_personnel: 'Agents habilités du service instructeur',
      duree_conservation_donnees_caractere_personnel: 12,
    });
  if (blocks.includes('scopes')) d.scopes = scopes;
  if (blocks.includes('contacts'))
    for (const k of ['contact_metier', 'contact_technique', 'delegue_protection_donnees', 'responsable_traitement'])
      Object.assign(d, {
        [`${k}_family_name`]: 'Exemple',
        [`${k}_given_name`]: 'Alex',
        [`${k}_email`]: `${k.replace(/_/g, '.')}@demo.example`,
        [`${k}_phone_number`]: '01 23 45 67 89',
        [`${k}_job_title`]: 'Chargé de mission',
      });
  if (blocks.includes('volumetrie')) d.volumetrie_appels_par_minute = 50;
  if (blocks.includes('safety_certification'))
    Object.assign(d, {
      safety_certification_authority_name: 'Alex Exemple',
      safety_certification_authority_function: 'Directeur général des services',
      safety_certification_begin_date: '2026-01-01',
      safety_certification_end_date: '2028-12-31',
    });
  if (blocks.includes('cgu')) d.terms_of_service_accepted = true;
  return d;
}

/**
 * Demo: the definitions of the demo catalogue's restricted APIs, their gateway APIs and plans, roles,
 * and requests in every state. Only when the module's tables are empty.
 */
export async function seedHabilitationsDemo(ctx: AppContext, svc: HabilitationsService, gateway: GatewayModuleService | undefined) {
  if ((await svc.repo.definitionsCount()) > 0) return;
  const defs = loadDemoDefinitions();
  if (gateway)
    for (const d of defs) {
      if (!d.apiSlug || (await gateway.service.getApi(SYSTEM, d.apiSlug).catch(() => null))) continue;
      const api = await gateway.service.createApi(SYSTEM, {
        slug: d.apiSlug,
        name: d.name,
        description: `${d.description ?? ''} (API de démonstration : l’amont, synthétique, est servi par la plateforme elle-même.)`,
        audience: 'Sur habilitation',
        organisationCode: d.providerCode,
        visibility: 'restricted',
        upstreamUrl: demoUpstreamOf(d.apiSlug) ?? 'platform:/api/health',
        timeoutMs: 10_000,
        allowPrivateUpstream: true,
        requiredScope: null,
        failPolicy: 'open',
        maxBodyBytes: 1024 * 1024,
        enabled: true,
        healthPath: '/',
        catalogAssetId: null,
      });
      await gateway.service.createPlan(SYSTEM, api.id, {
        slug: 'habilitation',
        name: 'Sur habilitation',
        keyless: false,
        perSecond: 10,
        perMinute: null,
        perDay: 10_000,
        perMonth: null,
        approval: 'manual',
        scopes: (d.scopes ?? []).map((s) => s.value),
      });
      // Its OpenAPI document, for the portal (the synthetic upstream's paths, served at /gw/<slug>).
      const demo = DEMO_UPSTREAMS[d.apiSlug];
      if (demo) await gateway.service.putSpec(SYSTEM, api.id, demo.spec(d.name, d.description ?? '', `${ctx.env.publicUrl}/gw/${d.apiSlug}`));
    }
  await importDefinitions(svc, defs);
  const find = async (login: string) => {
    const u = await ctx.usersRepo.findByLogin(login);
    return u ? principalOfUser(u) : null;
  };
  const [instructor, reporter, applicant, colleague] = await Promise.all([find('dsr.admin'), find('relecteur'), find('agent'), find('dnum.editeur')]);
  if (!instructor || !applicant) return;
  for (const d of defs) {
    await svc.grantRole(SYSTEM, d.id, instructor.login, 'instructor');
    if (reporter) await svc.grantRole(SYSTEM, d.id, reporter.login, 'reporter');
  }
  await svc.addTemplate(SYSTEM, 'api_certificat_immatriculation', {
    title: 'Cadre juridique à préciser',
    body: 'Bonjour,\n\nMerci de joindre la délibération du conseil municipal qui crée la carte de stationnement résidentiel.\n\nCordialement,',
  });
  // Requests in every state, through the state machine (their journal is real).
  const paths: Transition[][] = [
    [],
    ['submit'],
    ['submit', 'request_changes'],
    ['submit', 'approve'],
    ['submit', 'refuse'],
    ['submit', 'refuse', 'archive'],
    ['submit', 'approve', 'revoke'],
    ['submit', 'approve', 'reopen'],
  ];
  let n = 0;
  for (const d of defs) {
    for (const path of paths) {
      n++;
      const who: Principal = n % 3 === 0 && colleague ? colleague : applicant;
      const scopes = (d.scopes ?? []).map((s) => s.value);
      const r = await svc.createRequest(who, { definitionId: d.id, formUid: d.forms[0]?.uid, data: completeData(d.blocks, scopes, n) });
      for (const t of path) {
        const by = t === 'submit' || t === 'archive' || t === 'reopen' ? who : instructor;
        const message =
          t === 'request_changes'
            ? 'Précisez le cadre juridique (démonstration).'
            : t === 'refuse'
              ? 'Cadre juridique insuffisant (démonstration).'
              : t === 'revoke'
                ? 'Fin du projet (démonstration).'
                : undefined;
        await svc.transition(by, r.id, t, { message });
      }
    }
  }
}
