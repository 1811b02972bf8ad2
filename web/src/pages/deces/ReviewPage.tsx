import { useState } from 'react';
import { Link } from 'react-router';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { labelOf } from '@patrimoine/contracts/common';
import { correctableFieldLabels, correctionStatusLabels, sexLabels } from '@patrimoine/contracts/deces';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { correctionsCsvUrl, proofUrl, useCorrectionsToReview, useDeath, useReviewCorrection, type Correction, type Person } from './api';
import { fmtDate, fmtPlace } from './format';
import { PageTitle } from '../../components/Page';

type Decision = 'validated' | 'rejected';

/** The record's current value of a correctable field, as the record page shows it. */
function currentValue(p: Person, field: string): string {
  switch (field) {
    case 'lastName':
      return p.name.last;
    case 'firstName':
      return p.name.first.join(' ');
    case 'sex':
      return labelOf(sexLabels, p.sex);
    case 'birthDate':
      return fmtDate(p.birth.date);
    case 'birthCity':
      return p.birth.location.city || '—';
    case 'birthLocationCode':
      return p.birth.location.code || '—';
    case 'deathDate':
      return fmtDate(p.death.date);
    case 'deathLocationCode':
      return p.death.location.code || '—';
    default:
      return '—';
  }
}
const proposedValue = (field: string, v: string) => (field.endsWith('Date') ? fmtDate(v) : field === 'sex' ? labelOf(sexLabels, v) : v);
const fullName = (p: Person) => `${p.name.first.join(' ')} ${p.name.last.toUpperCase()}`.trim();

/** One proposed correction: the person, current and proposed values side by side, the proof, and a confirmed decision. */
function CorrectionCard({ c, onDone }: { c: Correction; onDone: (message: string) => void }) {
  const record = useDeath(c.recordId);
  const reviewing = useReviewCorrection();
  const [comment, setComment] = useState('');
  const [confirming, setConfirming] = useState<Decision | null>(null);
  const err = reviewing.error instanceof ApiError ? reviewing.error : null;
  const p = record.data;
  const who = p ? fullName(p) : `la fiche ${c.recordId}`;
  const decide = (decision: Decision) =>
    reviewing.mutate(
      { id: c.id, decision, comment },
      {
        onSuccess: () => onDone(`Correction de ${who} ${decision === 'validated' ? 'validée' : 'rejetée'}.`),
        onSettled: () => setConfirming(null),
      },
    );
  return (
    <section className="fr-card fr-p-3w fr-mb-3w" aria-label={`Correction de la fiche ${c.recordId}`}>
      <h2 className="fr-h5 fr-mb-1w">{p ? fullName(p) : `Fiche ${c.recordId}`}</h2>
      <ErrorAlert error={record.error} />
      {p && (
        <p className="fr-mb-1w">
          {p.sex === 'F' ? 'Née' : 'Né'} le {fmtDate(p.birth.date)} à {fmtPlace(p.birth.location)}, {p.sex === 'F' ? 'décédée' : 'décédé'} le{' '}
          {fmtDate(p.death.date)} à {fmtPlace(p.death.location)} — <Link to={`/deces/personne/${c.recordId}`}>voir la fiche {c.recordId}</Link>
        </p>
      )}
      <p className="fr-text--sm fr-mb-2w">
        Proposée le {new Date(c.createdAt).toLocaleDateString('fr-FR')} — {correctionStatusLabels[c.status]}
      </p>
      <div className="fr-table fr-table--no-caption fr-mb-2w">
        <table>
          <caption>Valeurs de la fiche et valeurs proposées</caption>
          <thead>
            <tr>
              <th scope="col">Champ</th>
              <th scope="col">Valeur actuelle</th>
              <th scope="col">Valeur proposée</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(c.fields).map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{labelOf(correctableFieldLabels, k)}</th>
                <td>{p ? currentValue(p, k) : '…'}</td>
                <td>
                  <strong>{proposedValue(k, v)}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {c.message && <p>Message de l’auteur : « {c.message} »</p>}
      <p>
        Preuve :{' '}
        {c.hasProofFile ? (
          <a className="fr-link fr-icon-download-line fr-link--icon-left" href={proofUrl(c.id)} download>
            Télécharger l’acte (PDF)
          </a>
        ) : c.proofUrl ? (
          <a className="fr-link" href={c.proofUrl} rel="noopener noreferrer" target="_blank">
            {c.proofUrl} (lien externe)
          </a>
        ) : (
          'aucune'
        )}
      </p>
      {c.status === 'pending' ? (
        <>
          {reviewing.error && !err?.errors.length && <ErrorAlert error={reviewing.error} />}
          <Input
            label="Commentaire (obligatoire pour un rejet)"
            state={err?.fieldMessage('comment') ? 'error' : 'default'}
            stateRelatedMessage={err?.fieldMessage('comment')}
            nativeInputProps={{ value: comment, onChange: (e) => setComment(e.target.value) }}
          />
          {confirming ? (
            <div role="alertdialog" aria-label="Confirmer la décision" className="fr-p-2w fr-background-alt--grey">
              <p className="fr-mb-1w">
                {confirming === 'validated'
                  ? `Valider cette correction ? La fiche de ${who} affichera les valeurs proposées, et la recherche les trouvera.`
                  : `Rejeter cette correction ? Son auteur verra votre commentaire.`}
              </p>
              <Button className="fr-mr-2w" disabled={reviewing.isPending} onClick={() => decide(confirming)}>
                {confirming === 'validated' ? 'Confirmer la validation' : 'Confirmer le rejet'}
              </Button>
              <Button priority="secondary" onClick={() => setConfirming(null)}>
                Revenir
              </Button>
            </div>
          ) : (
            <>
              <Button className="fr-mr-2w" onClick={() => setConfirming('validated')}>
                Valider
              </Button>
              <Button priority="secondary" onClick={() => setConfirming('rejected')}>
                Rejeter
              </Button>
            </>
          )}
        </>
      ) : (
        c.reviewComment && <p>Commentaire du relecteur : {c.reviewComment}</p>
      )}
    </section>
  );
}

/** The reviewers' queue of proposed corrections: validate or reject (confirmed) with a comment. */
export function ReviewPage() {
  const [s, set] = useUrlState(['statut'] as const);
  const status = s.statut || 'pending';
  const r = useCorrectionsToReview(status);
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <PageTitle>Corrections proposées</PageTitle>
      {done && <Alert severity="success" small description={done} className="fr-mb-2w" closable onClose={() => setDone(null)} />}
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
      {r.data?.items.map((c) => (
        <CorrectionCard key={c.id} c={c} onDone={setDone} />
      ))}
    </>
  );
}
