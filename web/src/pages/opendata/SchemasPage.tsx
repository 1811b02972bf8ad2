import { Link, useParams } from 'react-router';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { schemaSourceLabels, schemaSources } from '@patrimoine/contracts/opendata';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState, useUrlText } from '../../components/useUrlState';
import { opendataUrls, useSchema, useSchemas } from './api';
import { PageError, PageTitle } from '../../components/Page';

/** « Schémas »: the catalogue (schema.data.gouv.fr and the ministry's), searchable, with CSV export. */
export function SchemasPage() {
  const [f, set] = useUrlState(['q', 'source'] as const);
  const [search, setSearch] = useUrlText(f.q, (q) => set({ q }));
  const list = useSchemas({ q: f.q || undefined, source: f.source || undefined });
  return (
    <>
      <PageTitle>Schémas de données</PageTitle>
      <p>
        Les schémas Table Schema de <a href="https://schema.data.gouv.fr">schema.data.gouv.fr</a> (copie de référence) et ceux du ministère. Un fichier se
        valide contre l’un d’eux sur la page <Link to="/donnees-ouvertes/valider">Valider un fichier</Link>.
      </p>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Input label="Rechercher" nativeInputProps={{ value: search, onChange: (e) => setSearch(e.target.value), type: 'search' }} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Source" nativeSelectProps={{ value: f.source, onChange: (e) => set({ source: e.target.value }) }}>
            <option value="">Toutes</option>
            {schemaSources.map((s) => (
              <option key={s} value={s}>
                {schemaSourceLabels[s]}
              </option>
            ))}
          </Select>
        </div>
      </div>
      <ErrorAlert error={list.error} />
      {list.data && (
        <>
          <p>
            {list.data.total} schéma(s) —{' '}
            <a href={opendataUrls.schemas({ q: f.q || undefined, source: f.source || undefined, format: 'csv' })} download>
              Télécharger la liste (CSV)
            </a>
          </p>
          <div className="fr-table">
            <table>
              <caption>Schémas du catalogue</caption>
              <thead>
                <tr>
                  <th scope="col">Schéma</th>
                  <th scope="col">Nom</th>
                  <th scope="col">Version</th>
                  <th scope="col">Champs</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link to={`/donnees-ouvertes/schemas/${s.id}`}>{s.title}</Link>
                    </td>
                    <td>
                      <code>{s.name}</code>
                    </td>
                    <td>{s.version}</td>
                    <td>{s.fields}</td>
                    <td>
                      <Badge small severity={s.source === 'ministry' ? 'new' : 'info'}>
                        {schemaSourceLabels[s.source]}
                      </Badge>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

interface FieldRow {
  name?: string;
  title?: string;
  type?: string;
  format?: string;
  description?: string;
  constraints?: Record<string, unknown>;
}

/** One schema: versions, fields and their constraints. */
export function SchemaPage() {
  const { id } = useParams();
  const s = useSchema(id ?? null);
  if (s.error) return <PageError error={s.error} />;
  if (!s.data) return <p>Chargement…</p>;
  const d = s.data;
  const fields = (Array.isArray(d.descriptor.fields) ? d.descriptor.fields : []) as FieldRow[];
  return (
    <>
      <p>
        <Link to="/donnees-ouvertes/schemas">← Tous les schémas</Link>
      </p>
      <PageTitle>{d.title}</PageTitle>
      <p>
        <code>{d.name}</code> — version {d.version} ({schemaSourceLabels[d.source]})
        {d.homepage && (
          <>
            {' '}
            — <a href={d.homepage}>page du schéma</a>
          </>
        )}
      </p>
      {d.description && <p>{d.description}</p>}
      <p>Versions : {d.versions.join(', ') || d.version}</p>
      <p>
        <Link className="fr-btn fr-btn--secondary" to={`/donnees-ouvertes/valider?schema=${encodeURIComponent(d.id)}`}>
          Valider un fichier avec ce schéma
        </Link>
      </p>
      <div className="fr-table">
        <table>
          <caption>Champs ({fields.length})</caption>
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">Type</th>
              <th scope="col">Contraintes</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((f, i) => (
              <tr key={`${f.name}-${i}`}>
                <td>
                  <code>{f.name}</code>
                </td>
                <td>
                  {f.type ?? 'string'}
                  {f.format && f.format !== 'default' ? ` (${f.format})` : ''}
                </td>
                <td>
                  {Object.entries(f.constraints ?? {})
                    .map(([k, v]) => `${k} : ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
                    .join(' ; ')}
                </td>
                <td>{f.description ?? f.title ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
