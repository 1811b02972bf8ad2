import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JobProgressBar } from '../../components/JobProgress';
import { useUrlState } from '../../components/useUrlState';
import { useCancelJob, useJobs } from './api';
import { PageTitle } from '../../components/Page';

/** The user's background jobs (imports, bulk matching…) with live progress; admins may see all. */
export function JobsPage() {
  const { hasRole } = useAuth();
  const [s, set] = useUrlState(['all'] as const);
  const all = s.all === '1' && hasRole('admin');
  const jobs = useJobs(all);
  const cancel = useCancelJob();
  return (
    <>
      <PageTitle>Tâches de fond</PageTitle>
      <p>Imports, rapprochements en masse et autres traitements longs : leur avancement, en direct.</p>
      {hasRole('admin') && (
        <Checkbox
          options={[
            {
              label: 'Voir les tâches de tous les utilisateurs',
              nativeInputProps: { checked: all, onChange: (e) => set({ all: e.target.checked ? '1' : null }) },
            },
          ]}
        />
      )}
      <ErrorAlert error={jobs.error ?? cancel.error} />
      {jobs.data?.length === 0 && <p>Aucune tâche.</p>}
      <ul className="fr-raw-list">
        {jobs.data?.map((j) => (
          <li key={j.id} className="fr-card fr-p-3w fr-mb-2w">
            <p className="fr-mb-1w">
              <code>{j.type}</code> — créée le {new Date(j.createdAt).toLocaleString('fr-FR')}
              {j.finishedAt ? `, terminée le ${new Date(j.finishedAt).toLocaleString('fr-FR')}` : ''}
            </p>
            <JobProgressBar job={j} />
            {(j.state === 'queued' || j.state === 'running') && (
              <Button size="small" priority="secondary" className="fr-mt-2w" onClick={() => cancel.mutate(j.id)}>
                Annuler
              </Button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
