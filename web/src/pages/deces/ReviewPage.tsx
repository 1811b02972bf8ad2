import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { ApiError, api, qs } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { API, fmtDate } from './types';
import { statusLabels } from './RecordPage';

interface Correction {
  id: string;
  recordId: string;
  fields: Record<string, string>;
  message: string;
  proofUrl: string | null;
  hasProofFile: boolean;
  status: 'pending' | 'validated' | 'rejected';
  reviewComment: string | null;
  createdAt: string;
}

/** The reviewers' queue of proposed corrections: validate or reject with a comment. */
export function ReviewPage() {
  const [s, set] = useUrlState(['statut'] as const);
  const status = s.statut || 'pending';
  const qc = useQueryClient();
  const r = useQuery({ queryKey: ['deces-review', status], queryFn: () => api<{ total: number; items: Correction[] }>(`${API}/corrections${qs({ status })}`) });
  const [comments, setComments] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, ApiError>>({});

  async function review(id: string, decision: 'validated' | 'rejected') {
    try {
      await api(`${API}/corrections/${id}/review`, { method: 'POST', body: { decision, comment: comments[id] ?? '' } });
      setErrors((e) => ({ ...e, [id]: undefined as never }));
      await qc.invalidateQueries({ queryKey: ['deces-review'] });
    } catch (err) {
      if (err instanceof ApiError) setErrors((e) => ({ ...e, [id]: err }));
      else throw err;
    }
  }
  return (
    <>
      <h1>Corrections proposées</h1>
      <Select label="Statut" nativeSelectProps={{ value: status, onChange: (e) => set({ statut: e.target.value }) }}>
        <option value="pending">En attente</option>
        <option value="validated">Validées</option>
        <option value="rejected">Rejetées</option>
      </Select>
      <ErrorAlert error={r.error} />
      {r.data && <p role="status">{r.data.total} correction(s)</p>}
      <p>
        <a className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line" href={`${API}/corrections${qs({ status, format: 'csv' })}`}>
          Exporter en CSV
        </a>
      </p>
      {r.data?.items.map((c) => {
        const err = errors[c.id];
        return (
          <section key={c.id} className="fr-card fr-p-3w fr-mb-3w" aria-label={`Correction de la fiche ${c.recordId}`}>
            <p className="fr-mb-1w">
              Fiche <Link to={`/deces/personne/${c.recordId}`}>{c.recordId}</Link> — proposée le {new Date(c.createdAt).toLocaleDateString('fr-FR')} —{' '}
              {statusLabels[c.status]}
            </p>
            <ul>
              {Object.entries(c.fields).map(([k, v]) => (
                <li key={k}>
                  {k} : <strong>{k.endsWith('Date') ? fmtDate(v) : v}</strong>
                </li>
              ))}
            </ul>
            {c.message && <p>Message : {c.message}</p>}
            <p>
              Preuve :{' '}
              {c.hasProofFile ? (
                <a href={`${API}/corrections/${c.id}/proof`}>acte PDF</a>
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
                {err && !err.errors.length && <ErrorAlert error={err} />}
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
