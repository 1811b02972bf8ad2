import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { ApiError } from '../../../api/client';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useImportDictionary, type AssetDetail } from '../api';

/** A data model's dictionary: CSV export, and replacement from a CSV or SQL file by its editors. */
export function DictionaryTools({ detail }: { detail: AssetDetail }) {
  const a = detail.asset;
  const imp = useImportDictionary(a.slug);
  const error = imp.error;
  const done = imp.data?.diff ?? null;
  const apiErr = error instanceof ApiError ? error : null;
  return (
    <div className="fr-mb-3w">
      <p>
        <a
          className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left"
          href={`/api/catalog/assets/data_model/${a.slug}/dictionary.csv`}
        >
          Exporter le dictionnaire des données (CSV)
        </a>
      </p>
      {detail.canEdit && (
        <div className="fr-upload-group">
          <label className="fr-label" htmlFor="dictionary-upload">
            Remplacer les tables par un dictionnaire (CSV ou SQL)
            <span className="fr-hint-text">CSV : table;colonne;type;description;donnee_personnelle;exemple — ou un fichier SQL (CREATE TABLE, COMMENT ON)</span>
          </label>
          <input
            className="fr-upload"
            type="file"
            id="dictionary-upload"
            accept=".csv,.sql,text/csv"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              imp.reset();
              if (f) imp.mutate(await f.text());
            }}
          />
        </div>
      )}
      <ErrorAlert error={error} title="Dictionnaire refusé" />
      {apiErr && apiErr.errors.length > 0 && (
        <ul>
          {apiErr.errors.map((x, i) => (
            <li key={i}>
              {x.field} — {x.message}
            </li>
          ))}
        </ul>
      )}
      {done && <Alert severity="success" small description="Dictionnaire importé." className="fr-mt-2w" />}
    </div>
  );
}
