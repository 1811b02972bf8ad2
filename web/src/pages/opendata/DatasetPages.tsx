import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import { versionStateLabels, type VersionState } from '@patrimoine/contracts/opendata';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PushPanel } from './PushPanel';
import { CommunitySection } from './CommunitySection';
import { useCreateResource, useDatasetPage, usePublishedDatasets, useSchemas, useUploadVersion, type ResourceSummary } from './api';
import { PageError, PageTitle } from '../../components/Page';

export const octets = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : n < 1024 ? `${n} o` : n < 1048576 ? `${(n / 1024).toFixed(1)} Ko` : `${(n / 1048576).toFixed(1)} Mo`;
export const dateFr = (s: string | null | undefined) => (s ? new Date(s).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' }) : '—');

const severity: Record<VersionState, 'success' | 'error' | 'warning' | 'info' | 'new'> = {
  uploaded: 'info',
  analysing: 'info',
  invalid: 'error',
  review: 'warning',
  ready: 'new',
  published: 'success',
  superseded: 'info',
  withdrawn: 'warning',
};

export function StateBadge({ state }: { state: VersionState }) {
  return (
    <Badge as="span" severity={severity[state]} small noIcon>
      {versionStateLabels[state]}
    </Badge>
  );
}

/** « Jeux de données publiés »: every open dataset with at least one published file. */
export function PublishedDatasetsPage() {
  const q = usePublishedDatasets();
  return (
    <>
      <PageTitle>Jeux de données publiés</PageTitle>
      <p>Les fichiers publiés par les directions du ministère, validés contre leur schéma et vérifiés pour les données personnelles.</p>
      {q.error && <ErrorAlert error={q.error} />}
      {q.data && q.data.items.length === 0 && <p>Aucun jeu de données n’est encore publié.</p>}
      {q.data && q.data.items.length > 0 && (
        <div className="fr-table">
          <table>
            <caption>Jeux de données ({q.data.items.length})</caption>
            <thead>
              <tr>
                <th scope="col">Jeu de données</th>
                <th scope="col">Producteur</th>
                <th scope="col">Ressources</th>
                <th scope="col">Téléchargements</th>
                <th scope="col">Mis à jour</th>
              </tr>
            </thead>
            <tbody>
              {q.data.items.map((d) => (
                <tr key={d.slug}>
                  <td>
                    <Link to={`/donnees-ouvertes/jeux/${d.slug}`}>{d.title}</Link>
                  </td>
                  <td>{d.producer ?? '—'}</td>
                  <td>{d.resources}</td>
                  <td>{d.downloads.toLocaleString('fr-FR')}</td>
                  <td>{dateFr(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function UploadVersion({ resource }: { resource: ResourceSummary }) {
  const navigate = useNavigate();
  const m = useUploadVersion();
  const [file, setFile] = useState<File | null>(null);
  const err = m.error instanceof ApiError ? m.error : null;
  return (
    <form
      className="fr-mt-2w"
      onSubmit={(e) => {
        e.preventDefault();
        if (!file) return;
        m.mutate({ resourceId: resource.id, file }, { onSuccess: (v) => navigate(`/donnees-ouvertes/versions/${v.id}`) });
      }}
    >
      <Upload
        label={`Nouvelle version de « ${resource.title} »`}
        hint="CSV, XLSX ou ODS ; le fichier est analysé (schéma, données personnelles) avant toute publication."
        state={err?.fieldMessage('file') ? 'error' : 'default'}
        stateRelatedMessage={err?.fieldMessage('file')}
        nativeInputProps={{ accept: '.csv,.xlsx,.ods,text/csv', onChange: (e) => setFile(e.target.files?.[0] ?? null) }}
      />
      <Button type="submit" size="small" disabled={!file || m.isPending}>
        {m.isPending ? 'Envoi…' : 'Déposer la version'}
      </Button>
      {m.error && !err?.fieldMessage('file') && <ErrorAlert error={m.error} />}
    </form>
  );
}

function NewResource({ slug }: { slug: string }) {
  const schemas = useSchemas({});
  const m = useCreateResource(slug);
  const [title, setTitle] = useState('');
  const [schema, setSchema] = useState('');
  const err = m.error instanceof ApiError ? m.error : null;
  return (
    <form
      className="fr-mt-4w"
      aria-labelledby="nouvelle-ressource"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ title, ...(schema ? { schema } : {}) }, { onSuccess: () => setTitle('') });
      }}
    >
      <h2 id="nouvelle-ressource">Ajouter une ressource</h2>
      <Input
        label="Titre de la ressource"
        state={err?.fieldMessage('title') || err?.fieldMessage('slug') ? 'error' : undefined}
        stateRelatedMessage={err?.fieldMessage('title') ?? err?.fieldMessage('slug')}
        nativeInputProps={{ value: title, onChange: (e) => setTitle(e.target.value), required: true }}
      />
      <Select
        label="Schéma de validation"
        hint="Les versions seront validées contre ce schéma ; sans schéma, seule la structure est vérifiée."
        state={err?.fieldMessage('schema') ? 'error' : undefined}
        stateRelatedMessage={err?.fieldMessage('schema')}
        nativeSelectProps={{ value: schema, onChange: (e) => setSchema(e.target.value) }}
      >
        <option value="">Aucun (structure seulement)</option>
        {schemas.data?.items.map((s) => (
          <option key={s.id} value={s.id}>
            {s.title} — {s.name} {s.version}
          </option>
        ))}
      </Select>
      <Button type="submit" disabled={!title.trim() || m.isPending}>
        Ajouter la ressource
      </Button>
      {m.error && !err?.errors.length && <ErrorAlert error={m.error} />}
    </form>
  );
}

/** Public page of a dataset, with the editor's tools when the visitor may edit it. */
export function DatasetPage() {
  const { slug = '' } = useParams();
  const q = useDatasetPage(slug);
  if (q.error) return <PageError error={q.error} />;
  if (!q.data) return <p>Chargement…</p>;
  const d = q.data;
  return (
    <>
      <PageTitle>{d.title}</PageTitle>
      <p>
        <strong>Producteur :</strong> {d.producer.name ?? d.producer.code ?? '—'} · <strong>Licence :</strong> {d.licence ?? 'non précisée'}
        {d.canEdit && d.openness !== 'ouvert' && (
          <>
            {' '}
            · <Badge as="span" severity="warning" small>{`Non ouvert au catalogue (${d.openness})`}</Badge>
          </>
        )}
      </p>
      {d.description && <p>{d.description}</p>}
      {d.tags.length > 0 && (
        <ul className="fr-tags-group">
          {d.tags.map((t) => (
            <li key={t}>
              <p className="fr-tag fr-tag--sm">{t}</p>
            </li>
          ))}
        </ul>
      )}
      <h2>Ressources</h2>
      {d.resources.length === 0 && <p>Aucune ressource publiée.</p>}
      {d.resources.map((r) => (
        <section key={r.id} className="fr-card fr-p-3w fr-mb-3w" aria-labelledby={`res-${r.id}`}>
          <h3 id={`res-${r.id}`}>{r.title}</h3>
          {r.description && <p>{r.description}</p>}
          <p>
            {r.schema ? (
              <>
                Schéma <Link to={`/donnees-ouvertes/schemas/${r.schema.id}`}>{`${r.schema.name} ${r.schema.version}`}</Link>{' '}
              </>
            ) : (
              'Sans schéma (structure vérifiée) '
            )}
            {r.published &&
              (r.published.valid ? (
                <Badge as="span" severity="success" small>
                  Valide
                </Badge>
              ) : (
                <Badge as="span" severity="error" small>
                  Non valide
                </Badge>
              ))}
            {' · '}
            {r.downloads.toLocaleString('fr-FR')} téléchargement(s)
          </p>
          {r.published ? (
            <p>
              <a className="fr-link fr-icon-download-line fr-link--icon-left" href={r.downloadUrl} download>
                {`Télécharger ${r.title} (version ${r.published.number}, ${r.published.format?.toUpperCase() ?? ''}, ${octets(r.published.bytes)})`}
              </a>{' '}
              — <Link to={`/donnees-ouvertes/versions/${r.published.id}`}>Aperçu et profil des colonnes</Link>
            </p>
          ) : (
            <p>Pas de version publiée.</p>
          )}
          <div className="fr-table fr-table--sm">
            <table>
              <caption>{`Historique des versions de « ${r.title} »`}</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">État</th>
                  <th scope="col">Fichier</th>
                  <th scope="col">Lignes</th>
                  <th scope="col">Déposée</th>
                  <th scope="col">Publiée</th>
                </tr>
              </thead>
              <tbody>
                {r.versions.map((v) => (
                  <tr key={v.id} data-version={v.number}>
                    <td>
                      <Link to={`/donnees-ouvertes/versions/${v.id}`}>{`n° ${v.number}`}</Link>
                    </td>
                    <td>
                      <StateBadge state={v.state} />
                    </td>
                    <td>
                      {v.filename} ({octets(v.bytes)})
                    </td>
                    <td>{v.rows ?? '—'}</td>
                    <td>{dateFr(v.createdAt)}</td>
                    <td>{dateFr(v.publishedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {d.canEdit && <UploadVersion resource={r} />}
        </section>
      ))}
      <CommunitySection slug={d.slug} open={d.openness === 'ouvert'} />
      {d.canEdit && <NewResource slug={d.slug} />}
      {d.canEdit && <PushPanel d={d} />}
    </>
  );
}
