import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { correctionStatusLabels } from '@patrimoine/contracts/deces';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { correctionsCsvUrl, proofUrl, useCorrectionsToReview, useReviewCorrection } from './api';
import { fieldValue } from './RecordPage';
import { PageTitle } from '../../components/Page';

/** The reviewer's decision on one card and its error, kept per correction. */
function useReview() {
  const m = useReviewCorrection();
  return { ...m, errorFor: (id: string) => (m.variables?.id === id ? m.error : null) };
}

/** The reviewers' queue of proposed corrections: validate or reject with a comment. */
export function ReviewPage() {
  const [s, set] = useUrlState(['statut'] as const);
  const status = s.statut || 'pending';
  const r = useCorrectionsToReview(status);
  const [comments, setComments] = useState<Record<string, string>>({});
  const reviewing = useReview();
  const review = (id: string, decision: 'validated' | 'rejected') => reviewing.mutate({ id, decision, comment: comments[id] ?? '' });
  return (
    <>
      <PageTitle>Corrections proposées</PageTitle>
      <Select label="Statut" nativeSelectProps={{ value: status, onChange: (e) => set({ statut: e.target.value }) }}>
        <option value="pending">{correctionStatusLabels.pending}</option>
        <option value="validated">Validées</option>
        <option value="rejected">Rejetées</option>
      </Select>
      <ErrorAlert error={r.error} />
      {r.data && <p role="status">{r.data.total} correction(s)</p>}
      <p>
        <a className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line" href={correctionsCsvUrl(status)}>
          Exporter en CSV
        </a>
      </p>
      {r.data?.items.map((c) => {
        const failure = reviewing.errorFor(c.id);
        const err = failure instanceof ApiError ? failure : null;
        return (
          <section key={c.id} className="fr-card fr-p-3w fr-mb-3w" aria-label={`Correction de la fiche ${c.recordId}`}>
            <p className="fr-mb-1w">
              Fiche <Link to={`/deces/personne/${c.recordId}`}>{c.recordId}</Link> — proposée le {new Date(c.createdAt).toLocaleDateString('fr-FR')} —{' '}
              {correctionStatusLabels[c.status]}
            </p>
            <ul>
              {Object.entries(c.fields).map(([k, v]) => (
                <li key={k}>
                  <strong>{fieldValue(k, v)}</strong>
                </li>
              ))}
            </ul>
            {c.message && <p>Message : {c.message}</p>}
            <p>
              Preuve :{' '}
              {c.hasProofFile ? (
                <a href={proofUrl(c.id)}>acte PDF</a>
              ) : c.proofUrl ? (
                <a href={c.proofUrl} rel="noopener noreferrer" target="_blank">
                  {c.proofUrl}
                </a>
              ) : (
                'aucune'
              )}
            </p>
            {c.status === 'pending' ? (
              <>
                {failure && !err?.errors.length && <ErrorAlert error={failure} />}
                <Input
                  label="Commentaire (obligatoire pour un rejet)"
                  state={err?.fieldMessage('comment') ? 'error' : 'default'}
                  stateRelatedMessage={err?.fieldMessage('comment')}
                  nativeInputProps={{ value: comments[c.id] ?? '', onChange: (e) => setComments({ ...comments, [c.id]: e.target.value }) }}
                />
                <Button className="fr-mr-2w" onClick={() => void review(c.id, 'validated')}>
                  Valider
                </Button>
                <Button priority="secondary" onClick={() => void review(c.id, 'rejected')}>
                  Rejeter
                </Button>
              </>
            ) : (
              c.reviewComment && <p>Commentaire du relecteur : {c.reviewComment}</p>
            )}
          </section>
        );
      })}
    </>
  );
}
