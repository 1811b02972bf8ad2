/**
 * The public explanation of a published algorithm (articles L311-3-1 and R311-3-1-2 CRPA): in plain French, the rules
 * and main characteristics — the degree and mode of contribution of the algorithm to the decision, the data processed
 * and their sources, the parameters and their weighting, the operations performed — from the asset's fields.
 * Public (no login); an algorithm that is not published gets a clear message instead.
 */
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import type { AssetSpec } from '@patrimoine/contracts/catalog';
import { ApiError } from '../../api/client';
import { useAsset } from './api';
import { PageError, PageTitle } from '../../components/Page';

type Spec = Partial<AssetSpec<'algorithm'>>;

const notGiven = 'Non renseigné par l’administration.';

/** A paragraph per line of a free text, or the « not given » sentence. */
function Text({ value }: { value: string | undefined }) {
  if (!value?.trim()) return <p className="fr-text--sm fr-text-mention--grey">{notGiven}</p>;
  return (
    <>
      {value
        .split(/\n+/)
        .filter((l) => l.trim())
        .map((l, i) => (
          <p key={i}>{l}</p>
        ))}
    </>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="fr-mb-4w">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function Sub({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <h3 className="fr-h6 fr-mb-1w">{title}</h3>
      {children}
    </>
  );
}

function automationSentence(s: Spec): string {
  if (s.automation === 'fully_automated') return 'La décision est prise de manière entièrement automatisée par l’algorithme.';
  if (s.automation === 'decision_aid') return 'L’algorithme est une aide à la décision : il éclaire un agent, qui prend la décision.';
  return 'Le degré d’automatisation de la décision n’est pas renseigné.';
}

function typeSentence(s: Spec): string {
  if (s.algorithmType === 'rules') return 'Il s’agit d’un système de règles : les règles de calcul ont été écrites par des personnes.';
  if (s.algorithmType === 'machine_learning') return 'Il s’agit d’un algorithme d’apprentissage automatique : ses règles ont été apprises à partir de données.';
  return 'Le type d’algorithme n’est pas renseigné.';
}

export function AlgorithmExplanationPage() {
  const { slug = '' } = useParams();
  const r = useAsset('algorithm', slug);
  if (r.error) {
    if (r.error instanceof ApiError && (r.error.status === 404 || r.error.status === 403)) return <NotPublic />;
    return <PageError error={r.error} title="Explication indisponible" />;
  }
  if (!r.data) return <p>Chargement…</p>;
  const a = r.data.asset;
  if (a.openness !== 'ouvert') return <NotPublic title={a.title} />;
  const s = a.spec as Spec;
  const updated = s.infoUpdatedOn ?? a.updatedAt.slice(0, 10);
  const links = [s.relatedResources, s.impactResources, s.technicalResources].filter((v): v is string => !!v?.trim());
  return (
    <article>
      <p className="fr-text--sm fr-mb-1w">
        Explication d’un traitement algorithmique (article L311-3-1 du code des relations entre le public et l’administration)
      </p>
      <PageTitle>{a.title}</PageTitle>
      <p>
        {[s.administration, a.ownerName ?? a.owner].filter(Boolean).join(' — ') || 'Administration non renseignée'} · informations mises à jour le{' '}
        {new Date(`${updated}T00:00:00`).toLocaleDateString('fr-FR')}
      </p>
      {a.description && <p className="fr-text--lead">{a.description}</p>}

      <Section id="finalite" title="À quoi sert cet algorithme ?">
        <Sub title="Finalité">
          <Text value={s.purpose} />
        </Sub>
        <Sub title="Contexte">
          <Text value={s.context} />
        </Sub>
        <Sub title="Fondements juridiques">
          <Text value={s.legalBasis} />
        </Sub>
      </Section>

      <Section id="contribution" title="Comment l’algorithme contribue-t-il à la décision ?">
        <p>{automationSentence(s)}</p>
        <Sub title="À quel moment il intervient">
          <Text value={s.decisionRole} />
        </Sub>
        <Sub title="Qui est concerné">
          <p>
            {s.publicConcerned?.trim() || 'Le public concerné n’est pas renseigné.'}
            {s.decisionScope === 'external' && ' La décision s’adresse à des personnes extérieures à l’administration.'}
            {s.decisionScope === 'internal' && ' La décision relève d’une procédure interne à l’administration.'}
            {s.decisionsPerYear !== undefined && ` Environ ${s.decisionsPerYear.toLocaleString('fr-FR')} décisions sont prises chaque année.`}
          </p>
        </Sub>
      </Section>

      <Section id="donnees" title="Quelles données sont traitées, et d’où viennent-elles ?">
        <Sub title="Données traitées">
          <Text value={s.dataUsed} />
        </Sub>
        <Sub title="Sources des données">
          <Text value={s.dataSources} />
        </Sub>
        <Sub title="Mode de collecte">
          <Text value={s.collectionMode} />
        </Sub>
      </Section>

      <Section id="parametres" title="Quels paramètres sont pris en compte, et avec quel poids ?">
        {s.parameters?.length ? (
          <div className="fr-table">
            <table>
              <caption>Paramètres du traitement et leur pondération</caption>
              <thead>
                <tr>
                  <th scope="col">Paramètre</th>
                  <th scope="col">Pondération</th>
                  <th scope="col">Précisions</th>
                </tr>
              </thead>
              <tbody>
                {s.parameters.map((p, i) => (
                  <tr key={i}>
                    <td>{p.name}</td>
                    <td>{p.weight === undefined || p.weight === '' ? 'sans pondération' : String(p.weight)}</td>
                    <td>{p.description ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="fr-text--sm fr-text-mention--grey">Les paramètres et leur pondération ne sont pas décrits dans le catalogue.</p>
        )}
      </Section>

      <Section id="operations" title="Quelles opérations l’algorithme effectue-t-il ?">
        <p>{typeSentence(s)}</p>
        <Text value={s.operations} />
        {s.codeOrFlowchartUrl && (
          <p>
            <a href={s.codeOrFlowchartUrl} target="_blank" rel="noreferrer">
              Code source ou logigramme
            </a>
          </p>
        )}
      </Section>

      {links.length > 0 && (
        <Section id="ressources" title="Pour aller plus loin">
          {links.map((l, i) => (
            <Text key={i} value={l} />
          ))}
        </Section>
      )}

      <Section id="droits" title="Vos droits">
        <p>
          Si une décision individuelle vous concernant a été prise sur le fondement de cet algorithme, vous pouvez demander à l’administration de vous
          communiquer les règles qui le définissent et les principales caractéristiques de sa mise en œuvre, appliquées à votre situation (articles L311-3-1 et
          R311-3-1-2 du code des relations entre le public et l’administration).
        </p>
        <p>Contact : {s.contact?.trim() || a.contacts[0]?.email || a.contacts[0]?.name || 'non renseigné'}</p>
      </Section>
    </article>
  );
}

function NotPublic({ title }: { title?: string }) {
  return (
    <>
      <PageTitle>{title ?? 'Explication d’un algorithme'}</PageTitle>
      <Alert
        severity="info"
        small={false}
        as="h2"
        title="Cet algorithme n’est pas publié"
        description="Son explication n’est pas publique : l’administration ne l’a pas encore publiée, ou il n’existe pas. Si une décision individuelle vous concernant a été prise sur le fondement d’un traitement algorithmique, vous pouvez demander à l’administration qui l’a prise de vous en communiquer les règles (article L311-3-1 du code des relations entre le public et l’administration)."
        className="fr-mb-3w"
      />
      <p>
        <Link to="/catalogue?kind=algorithm">Voir les algorithmes publiés</Link>
      </p>
    </>
  );
}
