import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import { labelOf } from '@patrimoine/contracts/common';
import {
  correctableFieldLabels,
  correctionStatusLabels,
  decesFlagLabels,
  DEMO_BADGE_LABEL,
  isDemoSource,
  sexLabels,
  type CorrectableField,
} from '@patrimoine/contracts/deces';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useDeath, useMyCorrections, useProposeCorrection } from './api';
import { DemoBadge } from './DemoBadge';
import { fmtDate, fmtPlace } from './format';
import { PageError, PageTitle } from '../../components/Page';

/** Fields the form offers, in its order (the sex is corrected through the API only). */
const CORRECTABLE: readonly CorrectableField[] = ['lastName', 'firstName', 'birthDate', 'birthCity', 'birthLocationCode', 'deathDate', 'deathLocationCode'];
const severity = { pending: 'info', validated: 'success', rejected: 'error' } as const;
/** A corrected field and its value as people read them. */
export const fieldValue = (k: string, v: string) => `${labelOf(correctableFieldLabels, k)} : ${k.endsWith('Date') ? fmtDate(v) : v}`;

/** One record: its fields, the file's known defects, its validated corrections and the proposal form. */
export function RecordPage() {
  const { id = '' } = useParams();
  const { me } = useAuth();
  const r = useDeath(id);
  const mine = useMyCorrections(id, { enabled: !!me?.user });
  const proposal = useProposeCorrection(id);
  const [form, setForm] = useState<Record<string, string>>({});
  const [file, setFile] = useState<File | null>(null);
  const error = proposal.error instanceof ApiError ? proposal.error : null;
  const p = r.data;

  function propose(e: FormEvent) {
    e.preventDefault();
    const fd = new FormData();
    for (const [k, v] of Object.entries(form)) if (v.trim()) fd.append(k, v.trim());
    if (file) fd.append('proof', file);
    proposal.mutate(fd, {
      onSuccess: () => {
        setForm({});
        setFile(null);
      },
    });
  }

  if (r.error) return <PageError error={r.error} />;
  if (!p) return <p>Chargement…</p>;
  const row = (label: string, value: string) => (
    <tr>
      <th scope="row">{label}</th>
      <td>{value}</td>
    </tr>
  );
  return (
    <>
      <p>
        <Link to="/deces">← Retour à la recherche</Link>
      </p>
      <PageTitle>
        {p.name.last} {p.name.first.join(' ')}
      </PageTitle>
      {isDemoSource(p.source) && (
        <Alert
          severity="warning"
          small
          as="h2"
          className="fr-mb-2w"
          title={DEMO_BADGE_LABEL}
          description="Cette fiche est une donnée de démonstration (fictive), générée pour découvrir la plateforme : elle ne correspond à aucune personne réelle."
        />
      )}
      <div className="fr-table fr-table--no-caption">
        <table>
          <caption>Fiche de décès</caption>
          <tbody>
            {row('Sexe', labelOf(sexLabels, p.sex))}
            {row('Date de naissance', fmtDate(p.birth.date))}
            {row('Lieu de naissance', `${fmtPlace(p.birth.location)}${p.birth.location.code ? ` — code ${p.birth.location.code}` : ''}`)}
            {row('Pays de naissance', p.birth.location.country || '—')}
            {row('Date de décès', fmtDate(p.death.date))}
            {row('Âge au décès', p.death.age !== null ? `${p.death.age} ans` : 'inconnu')}
            {row('Lieu de décès', `${fmtPlace(p.death.location)}${p.death.location.code ? ` — code ${p.death.location.code}` : ''}`)}
            {row('Numéro d’acte', p.death.certificateId || '—')}
            <tr>
              <th scope="row">Fichier source</th>
              <td>
                {p.source} <DemoBadge source={p.source} className="fr-ml-1w" />
              </td>
            </tr>
            {row('Identifiant', p.id)}
          </tbody>
        </table>
      </div>
      {p.flags.length > 0 && (
        <p>
          {p.flags.map((f) => (
            <Badge key={f} severity="warning" small className="fr-mr-1w">
              {labelOf(decesFlagLabels, f)}
            </Badge>
          ))}
        </p>
      )}
      {p.modifications && p.modifications.length > 0 && (
        <>
          <h2>Corrections validées</h2>
          <ul>
            {p.modifications.map((m) => (
              <li key={m.id}>
                {Object.entries(m.fields)
                  .map(([k, v]) => fieldValue(k, v))
                  .join(' ; ')}
                {m.date ? ` (validée le ${new Date(m.date).toLocaleDateString('fr-FR')})` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Signaler une erreur</h2>
      {!me?.user ? (
        <p>
          <Link to={`/connexion?retour=${encodeURIComponent(`/deces/personne/${id}`)}`}>Connectez-vous</Link> pour proposer une correction, avec un acte (PDF)
          ou un lien vers la preuve.
        </p>
      ) : (
        <>
          {mine.data && mine.data.items.length > 0 && (
            <>
              <h3>Mes propositions pour cette fiche</h3>
              {mine.data.items.map((c) => (
                <Alert
                  key={c.id}
                  small
                  severity={severity[c.status]}
                  className="fr-mb-1w"
                  description={`${correctionStatusLabels[c.status]} — ${Object.entries(c.fields)
                    .map(([k, v]) => fieldValue(k, v))
                    .join(' ; ')}${c.reviewComment ? ` — commentaire : ${c.reviewComment}` : ''}`}
                />
              ))}
            </>
          )}
          {proposal.isSuccess && <Alert severity="success" small className="fr-mb-2w" description="Proposition envoyée : un relecteur va l’examiner." />}
          <form onSubmit={propose} aria-label="Proposer une correction">
            {proposal.error && !error?.errors.length && <ErrorAlert error={proposal.error} />}
            <div className="fr-grid-row fr-grid-row--gutters">
              {CORRECTABLE.map((f) => (
                <div key={f} className="fr-col-12 fr-col-md-4">
                  <Input
                    label={correctableFieldLabels[f]}
                    hintText={f.endsWith('Date') ? 'JJ/MM/AAAA' : undefined}
                    state={error?.fieldMessage(f) ? 'error' : 'default'}
                    stateRelatedMessage={error?.fieldMessage(f)}
                    nativeInputProps={{ value: form[f] ?? '', onChange: (e) => setForm({ ...form, [f]: e.target.value }) }}
                  />
                </div>
              ))}
            </div>
            {error?.fieldMessage('fields') && <p className="fr-error-text">{error.fieldMessage('fields')}</p>}
            <Input
              label="Message pour le relecteur"
              textArea
              nativeTextAreaProps={{ value: form.message ?? '', onChange: (e) => setForm({ ...form, message: e.target.value }) }}
            />
            <Upload
              label="Preuve : acte de décès ou de naissance (PDF, 5 Mo au plus)"
              hint="Ou donnez un lien ci-dessous"
              state={error?.fieldMessage('proof') ? 'error' : 'default'}
              stateRelatedMessage={error?.fieldMessage('proof')}
              nativeInputProps={{ accept: 'application/pdf', onChange: (e) => setFile(e.target.files?.[0] ?? null) }}
            />
            <Input
              label="Lien vers la preuve (https)"
              state={error?.fieldMessage('proofUrl') ? 'error' : 'default'}
              stateRelatedMessage={error?.fieldMessage('proofUrl')}
              nativeInputProps={{ type: 'url', value: form.proofUrl ?? '', onChange: (e) => setForm({ ...form, proofUrl: e.target.value }) }}
            />
            <Button type="submit">Proposer la correction</Button>
          </form>
        </>
      )}
    </>
  );
}
