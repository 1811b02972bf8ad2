import { Link } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JobProgressBar } from '../../components/JobProgress';
import { useUrlState } from '../../components/useUrlState';
import { useCancelJob, useJobs } from './api';
import { PageTitle } from '../../components/Page';

/** Pages where a finished job's results are looked at (besides its downloads). */
const JOB_PAGES: Record<string, { label: string; to: (id: string) => string }> = {
  'deces.bulk': { label: 'Relire les résultats à l’écran', to: (id) => `/deces/appariement?tache=${id}` },
};

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
            <section aria-label={j.title}>
              <h2 className="fr-h6 fr-mb-1w">{j.title}</h2>
              <p className="fr-mb-1w fr-text--sm">
                {j.fileName && (
                  <>
                    Fichier : <strong>{j.fileName}</strong> —{' '}
                  </>
                )}
                créée le {new Date(j.createdAt).toLocaleString('fr-FR')}
                {j.finishedAt ? `, terminée le ${new Date(j.finishedAt).toLocaleString('fr-FR')}` : ''}
              </p>
              <JobProgressBar job={j} />
              {j.state === 'succeeded' && j.downloads.length > 0 && (
                <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm fr-btns-group--icon-left fr-mt-2w">
                  {j.downloads.map((d) => (
                    <li key={d.href}>
                      <a className="fr-btn fr-btn--secondary fr-icon-download-line" href={d.href}>
                        {d.label}
                      </a>
                    </li>
                  ))}
                  {JOB_PAGES[j.type] && (
                    <li>
                      <Link className="fr-btn fr-btn--tertiary fr-icon-eye-line" to={JOB_PAGES[j.type]!.to(j.id)}>
                        {JOB_PAGES[j.type]!.label}
                      </Link>
                    </li>
                  )}
                </ul>
              )}
              {j.state === 'succeeded' && JOB_PAGES[j.type] && j.downloads.length === 0 && <p className="fr-text--sm fr-mt-1w">Résultats expirés.</p>}
              {(j.state === 'queued' || j.state === 'running') && (
                <Button size="small" priority="secondary" className="fr-mt-2w" onClick={() => cancel.mutate(j.id)}>
                  Annuler
                </Button>
              )}
            </section>
          </li>
        ))}
      </ul>
    </>
  );
}
