import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { errorTypeLabels } from '@patrimoine/contracts/opendata';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useAuth } from '../../auth';
import { useSchemas, useValidateFile, useValidationLimits, type ValidationResult } from './api';
import { ErrorTable, PersonalDataTable, errorCountsText } from './ValidationReport';
import { PageTitle } from '../../components/Page';

const mo = (n: number) => `${Math.round((n / 1048576) * 10) / 10} Mo`;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The errors of a report as a CSV file (built in the browser: the report is not kept by the server). */
function errorsCsvHref(r: ValidationResult): string {
  const lines = ['type;ligne;colonne;message', ...r.errors.map((e) => [e.type, e.rowNumber ?? '', e.fieldName ?? '', e.message].map(csvCell).join(';'))];
  return URL.createObjectURL(new Blob([`\ufeff${lines.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' }));
}

/** « Valider un fichier »: a CSV/XLSX/ODS against a catalogue schema (or a pasted one), the report and the personal-data verdicts. */
export function ValidatePage() {
  const [params] = useSearchParams();
  const auth = useAuth();
  const limits = useValidationLimits();
  const schemas = useSchemas({});
  const m = useValidateFile();
  const [file, setFile] = useState<File | null>(null);
  const [schemaId, setSchemaId] = useState(params.get('schema') ?? '');
  const [schemaText, setSchemaText] = useState('');
  const [typeFilter, setTypeFilter] = useState('');
  const [fieldFilter, setFieldFilter] = useState('');
  const max = limits.data ? (auth.me?.authenticated ? limits.data.userBytes : limits.data.anonymousBytes) : null;
  const tooBig = file && max !== null && file.size > max;
  const apiErr = m.error instanceof ApiError ? m.error : null;
  const r = m.data;
  const shown = useMemo(
    () => (r ? r.errors.filter((e) => (!typeFilter || e.type === typeFilter) && (!fieldFilter || e.fieldName === fieldFilter)) : []),
    [r, typeFilter, fieldFilter],
  );
  const csvHref = useMemo(() => (r ? errorsCsvHref(r) : null), [r]);
  return (
    <>
      <PageTitle>Valider un fichier</PageTitle>
      <p>
        Vérifiez un fichier CSV, XLSX ou ODS contre un schéma Table Schema avant de le publier. Le fichier n’est pas conservé.
        {max !== null && ` Taille maximale : ${mo(max)}${auth.me?.authenticated ? '' : ' (connectez-vous pour des fichiers plus gros)'}.`}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!file || tooBig) return;
          m.mutate({ file, schema: schemaText.trim() || schemaId });
        }}
      >
        <Upload
          label="Fichier à valider"
          hint="CSV (séparateur et encodage détectés), XLSX ou ODS"
          state={tooBig || apiErr?.fieldMessage('file') ? 'error' : 'default'}
          stateRelatedMessage={tooBig ? `Fichier trop volumineux (${mo(file.size)}, limite ${mo(max!)}).` : apiErr?.fieldMessage('file')}
          nativeInputProps={{
            accept: '.csv,.xlsx,.ods,text/csv',
            onChange: (e) => {
              m.reset();
              setFile(e.target.files?.[0] ?? null);
            },
          }}
        />
        <Select
          label="Schéma du catalogue"
          hint="Sans schéma, seule la structure du fichier est vérifiée."
          state={apiErr?.fieldMessage('schema') && !schemaText ? 'error' : undefined}
          stateRelatedMessage={schemaText ? undefined : apiErr?.fieldMessage('schema')}
          nativeSelectProps={{ value: schemaId, onChange: (e) => setSchemaId(e.target.value), name: 'schema' }}
        >
          <option value="">Aucun (structure seulement)</option>
          {schemas.data?.items.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title} — {s.name} {s.version}
            </option>
          ))}
        </Select>
        <Input
          label="Ou collez un schéma (JSON Table Schema) ou son URL"
          textArea
          state={apiErr?.errors.some((x) => x.field.startsWith('schema')) && schemaText ? 'error' : undefined}
          stateRelatedMessage={
            schemaText
              ? apiErr?.errors
                  .filter((x) => x.field.startsWith('schema'))
                  .map((x) => `${x.field} : ${x.message}`)
                  .join(' ; ')
              : undefined
          }
          nativeTextAreaProps={{ value: schemaText, onChange: (e) => setSchemaText(e.target.value), rows: 4 }}
        />
        <Button type="submit" disabled={!file || !!tooBig || m.isPending}>
          {m.isPending ? 'Validation en cours…' : 'Valider'}
        </Button>
      </form>
      {m.error && !apiErr?.errors.length && <ErrorAlert error={m.error} />}
      {r && (
        <section className="fr-mt-4w" aria-labelledby="rapport">
          <h2 id="rapport">Rapport</h2>
          {r.valid ? (
            <Alert
              severity="success"
              title="Fichier valide"
              description={`${r.stats.rows} ligne(s) de données conformes${r.schema?.name ? ` au schéma ${r.schema.name} ${r.schema.version ?? ''}` : ''}.`}
            />
          ) : (
            <Alert
              severity="error"
              title="Fichier non valide"
              description={`${r.stats.errors} erreur(s) sur ${r.stats.rows} ligne(s) de données${r.truncated ? ` (les ${r.errors.length} premières sont listées)` : ''}.`}
            />
          )}
          <p className="fr-mt-2w">
            Format {r.format.toUpperCase()}
            {r.encoding && `, encodage ${r.encoding}`}
            {r.dialect && `, séparateur « ${r.dialect.delimiter === '\t' ? 'tabulation' : r.dialect.delimiter} »`}, analysé en {r.stats.seconds.toFixed(2)} s.
          </p>
          <h3>Données personnelles</h3>
          {r.personalData.length === 0 ? (
            <p>Aucune colonne ne semble contenir de données personnelles.</p>
          ) : (
            <>
              <Alert
                severity="warning"
                small
                description="Ces colonnes semblent contenir des données personnelles : elles ne peuvent pas être publiées en l’état."
              />
              <PersonalDataTable verdicts={r.personalData} />
            </>
          )}
          {r.errors.length > 0 && (
            <>
              <h3>Erreurs</h3>
              <p>
                {errorCountsText(r.errorCounts)}
                {csvHref && (
                  <>
                    {' '}
                    —{' '}
                    <a href={csvHref} download="erreurs.csv">
                      Télécharger les erreurs (CSV)
                    </a>
                  </>
                )}
              </p>
              <div className="fr-grid-row fr-grid-row--gutters">
                <div className="fr-col-12 fr-col-md-4">
                  <Select label="Type d’erreur" nativeSelectProps={{ value: typeFilter, onChange: (e) => setTypeFilter(e.target.value) }}>
                    <option value="">Tous</option>
                    {Object.keys(r.errorCounts).map((t) => (
                      <option key={t} value={t}>
                        {errorTypeLabels[t] ?? t}
                      </option>
                    ))}
                  </Select>
                </div>
                <div className="fr-col-12 fr-col-md-4">
                  <Select label="Colonne" nativeSelectProps={{ value: fieldFilter, onChange: (e) => setFieldFilter(e.target.value) }}>
                    <option value="">Toutes</option>
                    {[...new Set(r.errors.map((e) => e.fieldName).filter((x): x is string => !!x))].map((f) => (
                      <option key={f} value={f}>
                        {f}
                      </option>
                    ))}
                  </Select>
                </div>
              </div>
              <ErrorTable errors={shown} caption={`Erreurs (${shown.length})`} />
            </>
          )}
          {r.warnings.length > 0 && (
            <>
              <h3>Avertissements</h3>
              <ul>
                {r.warnings.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </>
  );
}
