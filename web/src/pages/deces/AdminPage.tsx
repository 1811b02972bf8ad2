import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { ApiError, api } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { API, fmtDate } from './types';

interface Version {
  uniqRecordsCount: number;
  sources: { name: string; lines: number; inserted: number; rejected: number; opposed: number; lastRecordDate: string | null; importedAt: string }[];
}
interface ImportJob {
  id: string;
  state: string;
  progress: { done?: number; total?: number; message?: string };
  result: { source: string; lines: number; inserted: number; rejected: number; opposed: number } | null;
  error: string | null;
}

/** Administrators: upload INSEE's monthly file and see the files imported so far. */
export function AdminPage() {
  const [s, set] = useUrlState(['import'] as const);
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const version = useQuery({ queryKey: ['deces-version-admin'], queryFn: () => api<Version>(`${API}/version`) });
  const job = useQuery({
    queryKey: ['deces-import', s.import],
    enabled: !!s.import,
    queryFn: () => api<ImportJob>(`${API}/admin/import/${s.import}`),
    refetchInterval: (q) => (q.state.data && ['queued', 'running'].includes(q.state.data.state) ? 1000 : false),
  });
  if (job.data?.state === 'succeeded' && version.data && !version.data.sources.some((x) => x.name === job.data?.result?.source))
    void qc.invalidateQueries({ queryKey: ['deces-version-admin'] });

  async function upload(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const fd = new FormData();
    if (file) fd.append('file', file);
    try {
      const r = await api<{ id: string }>(`${API}/admin/import`, { method: 'POST', body: fd });
      set({ import: r.id });
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else throw err;
    }
  }
  const j = job.data;
  const pctDone = j?.progress.total ? Math.round(((j.progress.done ?? 0) / j.progress.total) * 100) : 0;
  return (
    <>
      <h1>Fichiers des décès</h1>
      <form onSubmit={upload} aria-label="Importer un fichier Insee">
        <Upload
          label="Fichier mensuel ou annuel de l’Insee"
          hint=".txt, .txt.gz ou .zip (format Insee, latin1). Import en une transaction ; un fichier déjà importé n’ajoute rien."
          state={error?.fieldMessage('file') ? 'error' : 'default'}
          stateRelatedMessage={error?.fieldMessage('file')}
          nativeInputProps={{ accept: '.txt,.gz,.zip', onChange: (e) => setFile(e.target.files?.[0] ?? null) }}
        />
        {error && !error.errors.length && <ErrorAlert error={error} />}
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
              description={`${j.result.source} : ${j.result.lines} lignes, ${j.result.inserted} nouveaux décès, ${j.result.rejected} lignes rejetées, ${j.result.opposed} oppositions.`}
            />
          )}
          {j.state === 'failed' && <Alert severity="error" title="Échec de l’import" description={j.error ?? ''} />}
        </div>
      )}
      <h2 className="fr-mt-4w">Fichiers importés</h2>
      <ErrorAlert error={version.error} />
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
                  <td>{x.name}</td>
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
