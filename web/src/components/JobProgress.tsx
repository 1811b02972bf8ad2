import { jobStateLabels } from '@patrimoine/contracts/platform';
import type { Job } from '../pages/account/api';

export type { Job };

/** Accessible progress bar of a job (DSFR colours), with its state and message. */
export function JobProgressBar({ job }: { job: Job }) {
  const { done = 0, total, message } = job.progress ?? {};
  const pct = total ? Math.min(100, Math.round((done / total) * 100)) : job.state === 'succeeded' ? 100 : undefined;
  return (
    <div>
      <p className="fr-mb-1v">
        <strong>{jobStateLabels[job.state]}</strong>
        {message ? ` — ${message}` : ''}
        {total ? ` — ${done.toLocaleString('fr-FR')} / ${total.toLocaleString('fr-FR')}` : done ? ` — ${done.toLocaleString('fr-FR')}` : ''}
      </p>
      <div
        role="progressbar"
        aria-label={`Avancement : ${job.title}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        style={{ height: '0.75rem', background: 'var(--background-contrast-grey)', borderRadius: '0.25rem', overflow: 'hidden' }}
      >
        <div
          style={{
            width: pct === undefined ? '30%' : `${pct}%`,
            height: '100%',
            background: job.state === 'failed' ? 'var(--background-flat-error)' : 'var(--background-active-blue-france)',
            transition: 'width .3s',
          }}
        />
      </div>
      {job.error && <p className="fr-error-text">{job.error}</p>}
    </div>
  );
}
