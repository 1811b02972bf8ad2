import YAML from 'yaml';
import type { GwApiDetail, GwPlan } from '@patrimoine/contracts/gateway';
import type { FieldError } from '../../platform/errors.ts';

/**
 * api.gouv.fr referencing (roadmap A22, A23): a gateway API as the page file of api.gouv.fr's catalogue
 * (`_data/api/<slug>.md` in github.com/betagouv/api.gouv.fr: YAML front matter, then a Markdown body),
 * and a check of such a file against the rules api.gouv.fr's own tests apply (`model/tests/apiModel.test.js`)
 * and what its formatter requires (`model/formatters/api.js`: a known producer).
 */

/** Themes used by api.gouv.fr's catalogue (its filters), as its pages write them. */
export const API_GOUV_THEMES = [
  'Administration',
  'Administration & législation',
  'Agriculture',
  'Culture',
  'Droit et Justice',
  'Education',
  'Emploi',
  'Energie',
  'Enseignement Supérieur',
  'Entreprise',
  'Environnement',
  'Géographie',
  'Immatriculation',
  'Particulier',
  'Santé',
  'Sécurité',
  'Transport',
] as const;

/** Front matter fields every page must have (api.gouv.fr's `compulsoryFields`). */
const COMPULSORY = ['title', 'tagline', 'producer', 'is_open', 'themes', 'last_update'] as const;

export interface ApiGouvSource {
  api: GwApiDetail;
  /** The linked catalogue asset, when there is one: its tags become keywords, its public contact the contact link. */
  asset: { tags: string[]; contacts: { role: string; name: string; email?: string }[] } | null;
  /** api.gouv.fr producer slug (`_data/producteurs/<slug>.md`), e.g. `minint` for the Ministry of the Interior. */
  producer: string;
  /** External URL of the platform. */
  publicUrl: string;
  /** Where a partner asks for access (the habilitation's public page when there is one; the portal otherwise). */
  accessRequestUrl?: string | null;
  /** Fallback contact (an e-mail or a form URL) when the asset has none. */
  contact?: string | null;
}

const ddmmyyyy = (d: Date) => `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;

/** « 10 appels / seconde / clé » from the most generous limit of the plan a newcomer would take. */
function rateResume(plans: GwPlan[]): string | null {
  const p = plans.find((x) => x.keyless) ?? plans.find((x) => x.approval === 'auto') ?? plans[0];
  if (!p) return null;
  const per = p.keyless ? 'IP' : 'clé';
  if (p.perSecond) return `${p.perSecond} appels / seconde / ${per}`;
  if (p.perMinute) return `${p.perMinute} appels / minute / ${per}`;
  if (p.perDay) return `${p.perDay} appels / jour / ${per}`;
  if (p.perMonth) return `${p.perMonth} appels / mois / ${per}`;
  return null;
}

function planLine(p: GwPlan): string {
  const limits = [
    p.perSecond && `${p.perSecond} par seconde`,
    p.perMinute && `${p.perMinute} par minute`,
    p.perDay && `${p.perDay} par jour`,
    p.perMonth && `${p.perMonth} par mois`,
  ].filter(Boolean);
  const access = p.keyless ? 'sans clé' : p.approval === 'manual' ? 'sur validation du producteur' : 'abonnement immédiat';
  return `<li>Plan « ${p.name} » (${access}) : ${limits.length ? limits.join(', ') : 'sans limite de débit'}.</li>`;
}

/** Markdown headings of level 1 and 2 are reserved by api.gouv.fr's layout: they become level 3. */
export function demoteHeadings(md: string): string {
  return md.replace(/^#{1,2}(?=\s)/gm, '###');
}

/** First sentence of a description, for the one-line tagline. */
function firstSentence(text: string, fallback: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (!t) return fallback;
  const m = t.match(/^(.{10,200}?[.!?])(\s|$)/);
  return (m ? m[1]! : t.slice(0, 200)).trim();
}

/** 1 open to all without condition, 0 an account is needed, -1 an authorisation (habilitation) is needed. */
export function openness(api: GwApiDetail): -1 | 0 | 1 {
  if (api.visibility === 'restricted' || (api.plans.length > 0 && api.plans.every((p) => p.approval === 'manual'))) return -1;
  if (api.plans.some((p) => p.keyless)) return 1;
  return 0;
}

/** The api.gouv.fr page of a gateway API: front matter + Markdown body. */
export function apiGouvPage(src: ApiGouvSource): string {
  const { api } = src;
  const portal = `${src.publicUrl}/api-portail/${api.slug}`;
  const isOpen = openness(api);
  const publicContact = src.asset?.contacts.find((c) => c.role === 'contact_public' && c.email)?.email;
  const anyContact = src.asset?.contacts.find((c) => c.email)?.email;
  const keywords = [...new Set([...(src.asset?.tags ?? []), ...api.plans.flatMap((p) => p.scopes.map((s) => s.split(':')[0]!))])].filter(Boolean).slice(0, 20);
  const front: Record<string, unknown> = {
    title: api.name,
    tagline: firstSentence(api.description, api.name),
    producer: src.producer,
    is_open: isOpen,
    ...(isOpen === 0 ? { account_link: portal } : {}),
    ...(isOpen === -1
      ? {
          datapass_link: src.accessRequestUrl ?? portal,
          access_page: [
            {
              who: ['Un particulier'],
              is_eligible: -1,
              description: 'Cette API n’est pas ouverte aux particuliers : elle est réservée aux organisations habilitées.\n',
            },
            {
              who: ['Une administration', 'Une collectivité', 'Une entreprise'],
              is_eligible: 0,
              description:
                `${api.audience.trim() || 'L’accès est accordé après une demande d’habilitation instruite par le producteur de l’API.'}\n\n` +
                `<Button href="${src.accessRequestUrl ?? portal}">Remplir une demande</Button>\n`,
            },
          ],
        }
      : {}),
    external_site: portal,
    keywords: keywords.length ? keywords : [api.slug],
    themes: ['Administration'],
    ...(rateResume(api.plans)
      ? {
          rate_limiting_resume: rateResume(api.plans),
          rate_limiting_description: `<p>Limites de débit par plan :</p>\n<ul>\n${api.plans.map(planLine).join('\n')}\n</ul>\n`,
        }
      : {}),
    ...(api.availability !== null ? { uptime: Math.round(api.availability * 10000) / 100 } : {}),
    monitoring_link: portal,
    monitoring_description: `<p>La disponibilité est mesurée par une sonde toutes les minutes ; le portail en donne l’historique sur 30 jours.</p>\n`,
    contact_link: publicContact ?? anyContact ?? src.contact ?? portal,
    ...(api.specVersion > 0 ? { doc_tech_link: `${src.publicUrl}/api/gateway/apis/${api.slug}/openapi` } : { doc_tech_external: portal }),
    last_update: ddmmyyyy(api.updatedAt),
  };
  const body = demoteHeadings(api.description.trim() || api.name);
  return `---\n${YAML.stringify(front, { lineWidth: 0 })}---\n\n${body}\n`;
}

/**
 * Checks a page as api.gouv.fr's tests do: front matter present and YAML, compulsory fields, known
 * producer, `is_open` in -1/0/1, no empty theme, an access page for closed APIs, an account link for
 * APIs that need an account, no h1/h2 in the body or the intro, `last_update` as JJ/MM/AAAA.
 */
export function checkApiGouvPage(text: string, producers: ReadonlySet<string>): FieldError[] {
  const m = text.match(/^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)([\s\S]*)$/);
  if (!m) return [{ field: 'front_matter', message: 'en-tête YAML (entre deux lignes ---) absent' }];
  let data: Record<string, unknown>;
  try {
    data = YAML.parse(m[1]!, { maxAliasCount: 0 }) as Record<string, unknown>;
  } catch (e) {
    return [{ field: 'front_matter', message: `en-tête YAML illisible : ${(e as Error).message.split('\n')[0]}` }];
  }
  if (!data || typeof data !== 'object') return [{ field: 'front_matter', message: 'en-tête YAML vide' }];
  const body = m[2]!;
  const errors: FieldError[] = [];
  for (const f of COMPULSORY) if (data[f] === undefined || data[f] === null) errors.push({ field: f, message: 'champ obligatoire absent' });
  if (typeof data.producer === 'string' && !producers.has(data.producer))
    errors.push({ field: 'producer', message: `producteur « ${data.producer} » inconnu d’api.gouv.fr (_data/producteurs)` });
  if (data.is_open !== undefined && ![-1, 0, 1].includes(data.is_open as number)) errors.push({ field: 'is_open', message: 'doit valoir -1, 0 ou 1' });
  if (data.themes !== undefined && (!Array.isArray(data.themes) || data.themes.some((t) => t === null || t === undefined || t === '')))
    errors.push({ field: 'themes', message: 'liste de thèmes sans valeur vide attendue' });
  if (data.is_open === -1 && !data.access_page) errors.push({ field: 'access_page', message: 'une API fermée doit décrire ses conditions d’accès' });
  if (Array.isArray(data.access_page))
    data.access_page.forEach((c: Record<string, unknown>, i: number) => {
      if (!Array.isArray(c?.who) || !c.who.length) errors.push({ field: `access_page.${i}.who`, message: 'liste des publics attendue' });
      if (![-1, 0, 1].includes(c?.is_eligible as number)) errors.push({ field: `access_page.${i}.is_eligible`, message: 'doit valoir -1, 0 ou 1' });
    });
  if (data.is_open === 0 && !data.account_link)
    errors.push({ field: 'account_link', message: 'une API qui demande un compte doit donner le lien de création de compte' });
  const intro = typeof data.content_intro === 'string' ? data.content_intro : '';
  // api.gouv.fr's test looks for "\r\n## " and "\r\n# " (files written on Windows); level-1 titles are
  // reserved by its layout whatever the line endings (CONTRIBUTING), level-2 ones are common in its pages.
  const titled = (s: string) => s.includes('\r\n## ') || s.includes('\r\n# ') || /(^|\n)# /.test(s);
  if (titled(body)) errors.push({ field: 'body', message: 'titres de niveau 1 ou 2 interdits dans la description' });
  if (titled(intro)) errors.push({ field: 'content_intro', message: 'titres de niveau 1 ou 2 interdits dans l’introduction' });
  // The site splits last_update on "/" (day, month, year) to date its usage charts.
  if (typeof data.last_update === 'string' && !/^\d{2}\/\d{2}\/\d{4}/.test(data.last_update.trim()))
    errors.push({ field: 'last_update', message: 'date attendue au format JJ/MM/AAAA' });
  if (typeof data.tagline === 'string' && data.tagline.length > 250) errors.push({ field: 'tagline', message: 'une phrase au plus (250 caractères)' });
  return errors;
}
