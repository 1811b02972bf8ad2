import { Link } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { bulkDecisionLabels, bulkReviewFilterLabels, bulkReviewFilters, personFieldLabels, type PersonField } from '@patrimoine/contracts/deces';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { useBulkReview, useDecideBulkLine, type BulkReviewRow } from './api';
import { fmtDate, fmtPlace, pct } from './format';

const SIZE = 10;
type Filter = (typeof bulkReviewFilters)[number];

/** What the user's line says, by search field (« Nom de naissance : COUILLOUD »). */
function inputSummary(row: BulkReviewRow, mapping: Record<string, string>): string {
  const mapped = Object.entries(mapping)
    .map(([f, col]) => `${personFieldLabels[f as PersonField] ?? f} : ${row.input[col] || '—'}`)
    .join(' · ');
  return mapped || Object.values(row.input).join(' · ');
}

/**
 * On-screen review of a finished bulk matching: each line of the file with its candidates (score,
 * reasons, identity), accept a candidate or reject the line; decisions are saved at once and go into
 * the French CSV. Filter and page are in the URL.
 */
export function BulkReview({ id }: { id: string }) {
  const [s, set] = useUrlState(['tache', 'lignes', 'page'] as const);
  const filter = ((bulkReviewFilters as readonly string[]).includes(s.lignes) ? s.lignes : 'all') as Filter;
  const page = Math.max(1, Number(s.page) || 1);
  const review = useBulkReview(id, { filter, page, size: SIZE });
  const deciding = useDecideBulkLine(id);
  const d = review.data;
  const pages = d ? Math.max(1, Math.ceil(d.total / d.size)) : 1;
  const decide = (row: BulkReviewRow, decision: 'accepted' | 'rejected' | null, candidateId?: string) =>
    deciding.mutate({ sourceLineNumber: row.sourceLineNumber, decision, ...(candidateId ? { candidateId } : {}) });
  // The page shown is the one asked for (not the previous one kept while the next loads).
  const current = d && d.page === page && !review.isPlaceholderData;
  return (
    <section aria-labelledby="bulk-review-title" className="fr-mt-4w">
      <h2 id="bulk-review-title">Relire les résultats</h2>
      <p>
        Pour chaque ligne appariée, acceptez le candidat qui est bien la personne de votre fichier, ou rejetez la ligne. Les décisions sont enregistrées
        aussitôt et figurent dans le CSV français.
      </p>
      <Select
        label="Lignes à afficher"
        nativeSelectProps={{ value: filter, onChange: (e) => set({ lignes: e.target.value === 'all' ? null : e.target.value }) }}
      >
        {bulkReviewFilters.map((f) => (
          <option key={f} value={f}>
            {bulkReviewFilterLabels[f]}
          </option>
        ))}
      </Select>
      <ErrorAlert error={review.error ?? deciding.error} />
      {d && (
        <p role="status" aria-live="polite">
          {d.total === 0 ? 'Aucune ligne pour ce filtre.' : `${d.total} ligne${d.total > 1 ? 's' : ''} — page ${d.page} sur ${pages}`}
          {' — '}décisions : {d.decided.accepted} acceptée{d.decided.accepted > 1 ? 's' : ''}, {d.decided.rejected} rejetée
          {d.decided.rejected > 1 ? 's' : ''}
        </p>
      )}
      {current &&
        d.items.map((row) => (
          <section
            key={row.sourceLineNumber}
            className="fr-card fr-p-3w fr-mb-2w"
            aria-label={`Ligne ${row.sourceLineNumber} du fichier`}
            data-line={row.sourceLineNumber}
          >
            <h3 className="fr-h6 fr-mb-1w">
              Ligne {row.sourceLineNumber}{' '}
              {row.error ? (
                <Badge severity="error" small>
                  En erreur
                </Badge>
              ) : row.candidates.length ? (
                <Badge severity="info" small>
                  {row.candidates.length > 1 ? `${row.candidates.length} candidats` : '1 candidat'}
                </Badge>
              ) : (
                <Badge small>Sans correspondance</Badge>
              )}{' '}
              {row.decision && (
                <Badge severity={row.decision.decision === 'accepted' ? 'success' : 'warning'} small>
                  {bulkDecisionLabels[row.decision.decision]}
                </Badge>
              )}
            </h3>
            <p className="fr-mb-1w">
              <span className="fr-text--bold">Votre fichier :</span> {inputSummary(row, d.mapping)}
            </p>
            {row.error && <p className="fr-error-text">{row.error}</p>}
            {!row.error && !row.candidates.length && <p>Aucune fiche au-dessus du seuil de score.</p>}
            {row.candidates.map((c, i) => {
              const accepted = row.decision?.decision === 'accepted' && row.decision.candidateId === c.id;
              return (
                <div key={c.id} className="fr-mb-2w" aria-label={`Candidat ${i + 1} : ${c.name.first.join(' ')} ${c.name.last}`} role="group">
                  <p className="fr-mb-1v">
                    <strong>
                      {c.name.first.join(' ')} {c.name.last.toUpperCase()}
                    </strong>{' '}
                    — score <strong>{pct(c.score)}</strong> — né{c.sex === 'F' ? 'e' : ''} le {fmtDate(c.birth.date)} à {fmtPlace(c.birth.location)}, décédé
                    {c.sex === 'F' ? 'e' : ''} le {fmtDate(c.death.date)} à {fmtPlace(c.death.location)} —{' '}
                    <Link to={`/deces/personne/${c.id}`}>fiche {c.id}</Link>
                  </p>
                  <ul className="fr-text--sm fr-mb-1w">
                    {c.reasons.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                  {accepted ? (
                    <p className="fr-text--sm fr-mb-1v">
                      Accepté par {row.decision!.decidedBy} le {new Date(row.decision!.decidedAt).toLocaleString('fr-FR')}
                    </p>
                  ) : (
                    <Button size="small" disabled={deciding.isPending} onClick={() => decide(row, 'accepted', c.id)}>
                      {row.candidates.length > 1 ? `Accepter le candidat ${i + 1}` : 'Accepter'}
                    </Button>
                  )}
                </div>
              );
            })}
            {row.candidates.length > 0 && (
              <div className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
                {row.decision?.decision !== 'rejected' ? (
                  <Button size="small" priority="secondary" disabled={deciding.isPending} onClick={() => decide(row, 'rejected')}>
                    Rejeter (ce n’est pas la personne)
                  </Button>
                ) : (
                  <p className="fr-text--sm fr-mb-1v">
                    Rejetée par {row.decision.decidedBy} le {new Date(row.decision.decidedAt).toLocaleString('fr-FR')}
                  </p>
                )}
                {row.decision && (
                  <Button size="small" priority="tertiary" disabled={deciding.isPending} onClick={() => decide(row, null)}>
                    Annuler la décision
                  </Button>
                )}
              </div>
            )}
          </section>
        ))}
      {d && pages > 1 && (
        <nav aria-label="Pages des résultats" className="fr-btns-group fr-btns-group--inline-sm">
          <Button priority="secondary" size="small" disabled={page <= 1} onClick={() => set({ page: page - 1 })}>
            Page précédente
          </Button>
          <Button priority="secondary" size="small" disabled={page >= pages} onClick={() => set({ page: page + 1 })}>
            Page suivante
          </Button>
        </nav>
      )}
    </section>
  );
}
