import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { versionStateLabels } from '@patrimoine/contracts/opendata';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useVersion, useVersionAction, type VersionDetail } from './api';
import { StateBadge, dateFr, octets } from './DatasetPages';
import { ErrorTable, PersonalDataTable, errorCountsText } from './ValidationReport';
import { PageError, PageTitle } from '../../components/Page';

const typeLabels: Record<string, string> = {
  integer: 'entier',
  number: 'nombre',
  boolean: 'booléen',
  date: 'date',
  datetime: 'date et heure',
  string: 'texte',
  empty: 'vide',
};

function Progress({ v }: { v: VersionDetail }) {
  const p = v.progress;
  const pct = p?.totalBytes ? Math.min(100, Math.round((p.bytes / p.totalBytes) * 100)) : undefined;
  return (
    <div className="fr-mb-3w">
      <p>
        Analyse en cours
        {p ? ` — ${p.rows.toLocaleString('fr-FR')} ligne(s) lue(s), ${octets(p.bytes)}${p.totalBytes ? ` sur ${octets(p.totalBytes)}` : ''}` : '…'}
      </p>
      <div
        role="progressbar"
        aria-label="Avancement de l’analyse"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        style={{ height: '0.75rem', background: 'var(--background-contrast-grey)', borderRadius: '0.25rem', overflow: 'hidden' }}
      >
        <div style={{ width: pct === undefined ? '30%' : `${pct}%`, height: '100%', background: 'var(--background-active-blue-france)' }} />
      </div>
    </div>
  );
}

function Actions({ v }: { v: VersionDetail }) {
  const act = useVersionAction(v.id);
  const [reason, setReason] = useState('');
  const [withdrawReason, setWithdrawReason] = useState('');
  const err = act.error instanceof ApiError ? act.error : null;
  const ctx = v.context;
  if (!ctx?.canEdit) return null;
  const canPublish = v.state === 'ready' || (v.state === 'review' && !!v.waiver);
  return (
    <section className="fr-mt-4w" aria-labelledby="actions">
      <h2 id="actions">Publication</h2>
      {canPublish && (
        <Button onClick={() => act.mutate({ action: 'publish' })} disabled={act.isPending}>
          Publier cette version
        </Button>
      )}
      {v.state === 'review' && !v.waiver && !ctx.canWaive && (
        <Alert
          severity="warning"
          small
          description="Un administrateur des données de votre organisation doit examiner ces colonnes et lever l’alerte avant publication."
        />
      )}
      {v.state === 'review' && !v.waiver && ctx.canWaive && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act.mutate({ action: 'waiver', reason });
          }}
        >
          <Input
            label="Motif de la dérogation"
            hintText="Pourquoi ces colonnes peuvent être publiées (données publiques par nature, adresses de service…). Le motif est journalisé."
            textArea
            state={err?.fieldMessage('reason') ? 'error' : undefined}
            stateRelatedMessage={err?.fieldMessage('reason')}
            nativeTextAreaProps={{ value: reason, onChange: (e) => setReason(e.target.value), rows: 3 }}
          />
          <Button type="submit" priority="secondary" disabled={act.isPending}>
            Lever l’alerte
          </Button>
        </form>
      )}
      {v.state === 'published' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act.mutate({ action: 'withdraw', reason: withdrawReason });
          }}
        >
          <Input
            label="Motif du retrait"
            state={err?.fieldMessage('reason') ? 'error' : undefined}
            stateRelatedMessage={err?.fieldMessage('reason')}
            nativeInputProps={{ value: withdrawReason, onChange: (e) => setWithdrawReason(e.target.value) }}
          />
          <Button type="submit" priority="tertiary" disabled={act.isPending}>
            Retirer la version
          </Button>
        </form>
      )}
      {(v.state === 'invalid' || v.state === 'review') && (
        <p className="fr-mt-2w">
          <Link to={`/donnees-ouvertes/jeux/${ctx.datasetSlug}`}>Corriger le fichier et déposer une nouvelle version</Link>
        </p>
      )}
      {act.error && !err?.fieldMessage('reason') && <ErrorAlert error={act.error} />}
    </section>
  );
}

/** One version: analysis progress, report, personal-data verdict, preview, column profile, and the publication acts. */
export function VersionPage() {
  const { id = '' } = useParams();
  const q = useVersion(id);
  if (q.error) return <PageError error={q.error} />;
  if (!q.data) return <p>Chargement…</p>;
  const v = q.data;
  const running = v.state === 'uploaded' || v.state === 'analysing';
  return (
    <>
      {v.context && (
        <p>
          <Link to={`/donnees-ouvertes/jeux/${v.context.datasetSlug}`}>{v.context.datasetTitle}</Link> › {v.context.resourceTitle}
        </p>
      )}
      <PageTitle
        title={`Version n° ${v.number} ${versionStateLabels[v.state]}`}
        parents={v.context ? [{ label: v.context.datasetTitle, to: `/donnees-ouvertes/jeux/${v.context.datasetSlug}` }] : []}
      >
        Version n° {v.number} <StateBadge state={v.state} />
      </PageTitle>
      <p>
        {v.filename} · {octets(v.bytes)}
        {v.format && ` · ${v.format.toUpperCase()}`}
        {v.encoding && `, encodage ${v.encoding}`}
        {v.dialect && `, séparateur « ${v.dialect.delimiter === '\t' ? 'tabulation' : v.dialect.delimiter} »`} · déposée par {v.createdBy} le{' '}
        {dateFr(v.createdAt)}
        {v.publishedAt && ` · publiée le ${dateFr(v.publishedAt)}`}
      </p>
      {v.sha256 && (
        <p className="fr-text--sm">
          SHA-256 : <code>{v.sha256}</code>
        </p>
      )}
      {running && <Progress v={v} />}
      {v.error && <Alert as="h2" severity="error" title="Analyse impossible" description={v.error} />}
      {!running && !v.error && v.valid !== null && (
        <>
          {v.valid ? (
            <Alert
              as="h2"
              severity="success"
              title="Fichier valide"
              description={`${v.rows ?? 0} ligne(s) de données${v.schema ? ` conformes au schéma ${v.schema.name} ${v.schema.version}` : ' (structure vérifiée, sans schéma)'}.`}
            />
          ) : (
            <Alert as="h2" severity="error" title="Fichier non valide" description={`${v.errorCount ?? 0} erreur(s) sur ${v.rows ?? 0} ligne(s) de données.`} />
          )}
          <h2 className="fr-mt-3w">Données personnelles</h2>
          {v.personalData.length === 0 ? (
            <p>Aucune colonne ne semble contenir de données personnelles.</p>
          ) : (
            <>
              <Alert
                severity="warning"
                small
                description={
                  v.waiver
                    ? `Alerte levée par ${v.waiver.by} le ${dateFr(v.waiver.at)} : ${v.waiver.reason}`
                    : 'Ces colonnes semblent contenir des données personnelles : la version ne peut être publiée qu’après l’examen d’un administrateur des données.'
                }
              />
              <PersonalDataTable verdicts={v.personalData} />
            </>
          )}
          {v.report && v.report.errors.length > 0 && (
            <>
              <h2>Erreurs</h2>
              <p>{errorCountsText(v.report.errorCounts)}</p>
              <ErrorTable errors={v.report.errors} caption={`Erreurs (${v.report.errors.length}${v.report.truncated ? ', liste tronquée' : ''})`} />
            </>
          )}
          {v.report && v.report.warnings.length > 0 && (
            <details className="fr-mb-3w">
              <summary>Avertissements ({v.report.warnings.length})</summary>
              <ul>
                {v.report.warnings.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            </details>
          )}
          {v.profile.length > 0 && (
            <>
              <h2>Profil des colonnes</h2>
              <div className="fr-table fr-table--sm">
                <table>
                  <caption>Profil des colonnes</caption>
                  <thead>
                    <tr>
                      <th scope="col">Colonne</th>
                      <th scope="col">Type</th>
                      <th scope="col">Vides</th>
                      <th scope="col">Valeurs distinctes</th>
                      <th scope="col">Min</th>
                      <th scope="col">Max</th>
                      <th scope="col">Valeurs les plus fréquentes</th>
                    </tr>
                  </thead>
                  <tbody>
                    {v.profile.map((c) => (
                      <tr key={c.name}>
                        <td>{c.name}</td>
                        <td>{typeLabels[c.type] ?? c.type}</td>
                        <td>{Math.round(c.emptyShare * 100)} %</td>
                        <td>
                          {c.distinctCapped ? '≥ ' : ''}
                          {c.distinct.toLocaleString('fr-FR')}
                        </td>
                        <td>{c.min ?? '—'}</td>
                        <td>{c.max ?? '—'}</td>
                        <td>{c.top.map((x) => `${x.value} (${x.count})`).join(', ') || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          {v.preview.length > 0 && (
            <>
              <h2>Aperçu</h2>
              <div className="fr-table fr-table--sm" style={{ overflowX: 'auto' }}>
                <table>
                  <caption>{`Aperçu (${v.preview.length} premières lignes)`}</caption>
                  <thead>
                    <tr>
                      {v.columns.map((c) => (
                        <th key={c} scope="col">
                          {c}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {v.preview.map((row, i) => (
                      <tr key={i}>
                        {row.map((cell, j) => (
                          <td key={j}>{cell ?? ''}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
      {(v.state === 'published' || v.state === 'superseded') && (
        <p>
          <a className="fr-link fr-icon-download-line fr-link--icon-left" href={v.downloadUrl} download>
            Télécharger cette version
          </a>
        </p>
      )}
      <Actions v={v} />
    </>
  );
}
