import { useState, type FormEvent } from 'react';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { useDecesVersion, useImportStatus, useUploadImport } from './api';
import { DemoBadge } from './DemoBadge';
import { fmtDate } from './format';
import { PageTitle } from '../../components/Page';

/** Administrators: upload INSEE's monthly file and see the files imported so far. */
export function AdminPage() {
  const [s, set] = useUrlState(['import'] as const);
  const [file, setFile] = useState<File | null>(null);
  const uploading = useUploadImport();
  const error = uploading.error instanceof ApiError ? uploading.error : null;
  const version = useDecesVersion();
  const job = useImportStatus(s.import || undefined);

  function upload(e: FormEvent) {
    e.preventDefault();
    const fd = new FormData();
    if (file) fd.append('file', file);
    uploading.mutate(fd, { onSuccess: (r) => set({ import: r.id }) });
  }
  const j = job.data;
  const pctDone = j?.progress.total ? Math.round(((j.progress.done ?? 0) / j.progress.total) * 100) : 0;
  return (
    <>
      <PageTitle>Fichiers des décès</PageTitle>
      <form onSubmit={upload} aria-label="Importer un fichier Insee">
        <Upload
          label="Fichier mensuel ou annuel de l’Insee"
          hint=".txt, .txt.gz ou .zip (format Insee, latin1). Import en une transaction ; un fichier déjà importé n’ajoute rien."
          state={error?.fieldMessage('file') ? 'error' : 'default'}
          stateRelatedMessage={error?.fieldMessage('file')}
          nativeInputProps={{ accept: '.txt,.gz,.zip', onChange: (e) => setFile(e.target.files?.[0] ?? null) }}
        />
        {uploading.error && !error?.errors.length && <ErrorAlert error={uploading.error} />}
        <Button type="submit" disabled={!file}>
          Importer
        </Button>
      </form>
      {j && (
        <div className="fr-mt-3w" role="status">
          {['queued', 'running'].includes(j.state) && (
            <>
              <label htmlFor="import-progress">Import en cours {j.progress.message ? `: ${j.progress.message}` : ''}</label>
              <progress id="import-progress" max={100} value={pctDone} style={{ width: '100%' }}>
                {pctDone} %
              </progress>
            </>
          )}
          {j.state === 'succeeded' && j.result && (
            <Alert
              severity="success"
              small
              description={`${j.result.source} : ${j.result.lines} lignes, ${j.result.inserted} nouveaux décès, ${j.result.rejected} lignes rejetées, ${j.result.opposed} oppositions.${j.result.demoRemoved ? ` Les ${j.result.demoRemoved} décès de démonstration (fictifs) ont été retirés dans la même transaction.` : ''}`}
            />
          )}
          {j.state === 'failed' && <Alert severity="error" title="Échec de l’import" description={j.error ?? ''} />}
        </div>
      )}
      <h2 className="fr-mt-4w">Fichiers importés</h2>
      <ErrorAlert error={version.error ?? job.error} />
      {version.data && (
        <div className="fr-table">
          <table>
            <caption>{version.data.uniqRecordsCount.toLocaleString('fr-FR')} décès au total</caption>
            <thead>
              <tr>
                <th scope="col">Fichier</th>
                <th scope="col">Importé le</th>
                <th scope="col">Lignes</th>
                <th scope="col">Nouveaux</th>
                <th scope="col">Rejetées</th>
                <th scope="col">Oppositions</th>
                <th scope="col">Dernier décès</th>
              </tr>
            </thead>
            <tbody>
              {version.data.sources.map((x) => (
                <tr key={`${x.name}-${x.importedAt}`}>
                  <td>
                    {x.name} <DemoBadge source={x.name} className="fr-ml-1w" />
                  </td>
                  <td>{new Date(x.importedAt).toLocaleString('fr-FR')}</td>
                  <td>{x.lines}</td>
                  <td>{x.inserted}</td>
                  <td>{x.rejected}</td>
                  <td>{x.opposed}</td>
                  <td>{x.lastRecordDate ? fmtDate(x.lastRecordDate) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
