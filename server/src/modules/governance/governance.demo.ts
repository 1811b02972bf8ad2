import type { AppContext, ModuleServices } from '../../platform/context.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { parisDay, type GovernanceService } from './governance.service.ts';

/** A one-page PDF (the demo's mission letters; not a real document). */
export function demoPdf(title: string): Buffer {
  const text = title.replace(/[()\\]/g, '');
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${44 + text.length} >>\nstream\nBT /F1 14 Tf 60 780 Td (${text}) Tj ET\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const DEMO_NOTE = 'Démo : personne fictive.';

/**
 * Demo content of the governance module, loaded only into empty governance tables: a partly filled
 * network (so that the roadmap shows gaps), an open review campaign with stale assets (last confirmed
 * 15 months ago), the scoring grid and three project proposals, two of them scored.
 */
export async function seedGovernanceDemo(ctx: AppContext, svc: GovernanceService, services: Partial<ModuleServices>): Promise<boolean> {
  if (!(await svc.repo.isEmpty())) return false;
  const now = ctx.clock.now();
  const day = (offset: number) => parisDay(new Date(now.getTime() + offset * 86400_000));
  const people = [
    {
      role: 'administrateur_ministeriel',
      organisation: 'DNUM',
      personName: 'Administrateur ministériel des données (démo)',
      email: 'amd@demo.invalid',
      userLogin: 'admin',
      letter: true,
    },
    { role: 'referent_algorithmes', organisation: 'DNUM', personName: 'Claire Fontaine (démo)', email: 'claire.fontaine@demo.invalid', letter: true },
    {
      role: 'administrateur_metier',
      organisation: 'DSR',
      personName: 'Camille Martin (démo)',
      email: 'camille.martin@demo.invalid',
      userLogin: 'dsr.admin',
      letter: true,
    },
    { role: 'administrateur_metier', position: 'suppleant', organisation: 'DSR', personName: 'Hugo Bernard (démo)', email: 'hugo.bernard@demo.invalid' },
    { role: 'administrateur_metier', organisation: 'DGEF', personName: 'Nadia Benali (démo)', email: 'nadia.benali@demo.invalid', userLogin: 'dgef.admin' },
    { role: 'administrateur_metier', organisation: 'DNUM', personName: 'Julie Lambert (démo)', email: 'julie.lambert@demo.invalid', letter: true },
    { role: 'administrateur_metier', organisation: 'DLPAJ', personName: 'Marc Petit (démo)', email: 'marc.petit@demo.invalid', letter: true },
    { role: 'referent_prefecture', region: '11', personName: 'Inès Roux (démo)', email: 'ines.roux@demo.invalid', letter: true },
    { role: 'referent_prefecture', region: '84', personName: 'Thomas Garnier (démo)', email: 'thomas.garnier@demo.invalid' },
    { role: 'referent_prefecture', region: '53', personName: 'Lucie Le Gall (démo)', email: 'lucie.legall@demo.invalid', letter: true },
  ];
  for (const p of people) {
    const { letter, userLogin, ...body } = p as typeof p & { userLogin?: string };
    // Demo accounts exist on a first start with the demo; elsewhere (an installation seeded later) the person is named only.
    const account = userLogin && (await ctx.usersRepo.findByLogin(userLogin)) ? { userLogin } : {};
    const a = await svc.createAppointment(SYSTEM, { ...body, ...account, appointedOn: day(-400), note: DEMO_NOTE }, {}, true);
    if (letter)
      await svc.putLetter(SYSTEM, a.id, demoPdf(`Lettre de mission (demo) - ${p.personName}`), {
        signedOn: day(-390),
        signatory: 'Le secrétaire général (démo)',
      });
  }

  const catalog = services.catalog;
  if (catalog) {
    // Assets of the DSR last confirmed 15 months ago: stale under the default 12-month policy.
    const dsr = await ctx.organisations.findByCode('DSR');
    if (dsr) {
      const facts = await catalog.reviewFacts([dsr.id]);
      await ctx.db.transaction(async (tx) => {
        for (const f of facts.slice(0, 6)) await catalog.confirmAsset(f.id, SYSTEM, tx, new Date(now.getTime() - 456 * 86400_000));
        await svc.sweepStale(tx);
      });
    }
    await svc.createCampaign(
      SYSTEM,
      { title: 'Revue annuelle de la cartographie (démo)', dueOn: day(21), organisations: ['DSR', 'DNUM', 'DMAT'], remindDaysBefore: 7 },
      {},
      true,
    );
  }

  const grid = await svc.saveGrid(SYSTEM, {
    criteria: [
      {
        label: 'Bénéfices attendus pour les usagers',
        axis: 'valeur',
        weight: 30,
        justification: 'La feuille de route place le service rendu aux usagers en tête (démo).',
      },
      {
        label: 'Bénéfices attendus pour les agents',
        axis: 'valeur',
        weight: 20,
        justification: 'Gain de temps et de qualité pour les agents qui traitent les demandes (démo).',
      },
      {
        label: 'Potentiel de réutilisation',
        axis: 'valeur',
        weight: 20,
        justification: 'Un projet dont les données ou le code servent ailleurs vaut davantage (démo).',
      },
      {
        label: 'Disponibilité et qualité des données (catalogue)',
        axis: 'valeur',
        weight: 15,
        justification: 'Lue sur la complétude des actifs liés dans le catalogue (démo).',
      },
      {
        label: 'Faisabilité juridique et données personnelles',
        axis: 'effort',
        weight: 40,
        justification: 'Données personnelles et base légale à établir : AIPD, avis du DPD (démo).',
      },
      { label: 'Coût et effort de réalisation', axis: 'effort', weight: 60, justification: 'Charge estimée en jours et compétences rares mobilisées (démo).' },
    ],
  });
  const id = (label: string) => grid.criteria.find((c) => c.label.startsWith(label))!.id;
  const proposals = [
    {
      title: 'Tableau de bord de l’accidentalité routière (démo)',
      organisation: 'DSR',
      assets: ['dataset:auto-ecoles-labellisees'],
      scores: [4, 3, 4, 4, 1, 2],
      decision: { status: 'retenue' as const, decision: 'Démo : retenu au comité, réalisation par le lab data en 2026.' },
    },
    { title: 'Détection des doublons au répertoire des associations (démo)', organisation: 'DLPAJ', assets: ['dataset:rna'], scores: [2, 4, 2, 3, 3, 4] },
    { title: 'Prévision des flux de demandes de titres (démo)', organisation: 'DNUM', assets: [] },
  ];
  for (const p of proposals) {
    const assets = [];
    for (const ref of p.assets) {
      const [kind, slug] = ref.split(':');
      if (catalog && (await catalog.getAsset(kind!, slug!))) assets.push(ref);
    }
    const proj = await svc.createProject(
      SYSTEM,
      { title: p.title, organisation: p.organisation, assets, description: 'Démo : proposition fictive.' },
      {},
      true,
    );
    if (p.scores) {
      const labels = ['Bénéfices attendus pour les usagers', 'Bénéfices attendus pour les agents', 'Potentiel', 'Disponibilité', 'Faisabilité', 'Coût'];
      await svc.score(SYSTEM, proj.id, { scores: labels.map((l, i) => ({ criterionId: id(l), score: p.scores[i]! })) });
    }
    if (p.decision) await svc.decide(SYSTEM, proj.id, p.decision);
  }
  return true;
}
