import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { actorLabel } from '@patrimoine/contracts/platform';
import { statusLabel as statusText, timelinessLabels } from '@patrimoine/contracts/roadmap';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormErrors } from '../../components/FormErrors';
import { useUrlState } from '../../components/useUrlState';
import { useAuth } from '../../auth';
import { CsvLink, RoadmapFrame, base, useRoadmap } from './common';
import { frDate, frDay } from './format';
import { roadmapUrls, useCreateRoadmapDecision, useDeleteRoadmapDecision, useRoadmapReport, type Report } from './api';
import { plural } from '../../components/plural';

/** Quarters from the roadmap's first year to the current one, most recent first. */
function quarters(startYear: number, now = new Date()): string[] {
  const out: string[] = [];
  const y1 = now.getFullYear();
  const q1 = Math.floor(now.getMonth() / 3) + 1;
  for (let y = y1; y >= startYear; y--) for (let q = 4; q >= 1; q--) if (y < y1 || q <= q1) out.push(`${y}-T${q}`);
  return out;
}

/** The quarterly committee (A54): what changed, what is late, indicators, decisions; printable and in Markdown. */
export function CommitteePage() {
  const { slug, roadmap } = useRoadmap();
  const { hasRole } = useAuth();
  const [f, set] = useUrlState(['trimestre'] as const);
  const list = roadmap ? quarters(roadmap.startYear) : [];
  const quarter = f.trimestre || list[0] || '';
  const r = useRoadmapReport(slug, quarter);
  const d = r.data;
  return (
    <RoadmapFrame title="Comité de gouvernance des données">
      <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Trimestre du comité" nativeSelectProps={{ value: quarter, onChange: (e) => set({ trimestre: e.target.value }) }}>
            {list.map((q) => (
              <option key={q} value={q}>
                {q.replace('-T', ' — trimestre ')}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-8" style={{ display: 'flex', gap: '1rem', flexWrap: 'wrap', paddingBottom: '1.5rem' }}>
          <a className="fr-btn fr-btn--icon-left fr-icon-printer-line" href={roadmapUrls.report(slug, quarter, 'html')} target="_blank" rel="noopener">
            Version imprimable (nouvel onglet)
          </a>
          <a className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line" href={roadmapUrls.report(slug, quarter, 'md')} download>
            Télécharger en Markdown
          </a>
        </div>
      </div>
      <ErrorAlert error={r.error} />
      {d && (
        <article aria-label={`Rapport du comité, ${d.quarterLabel}`}>
          <h2 className="fr-h3">{d.quarterLabel}</h2>
          <p>
            Période du {frDay(d.from)} au {frDay(d.to)}, depuis le comité du trimestre précédent ({d.previousQuarter}).{' '}
            {plural(d.summary.actions.total, 'action')} : {plural(d.summary.actions.realisee ?? 0, 'réalisée')}, {d.summary.actions.en_cours ?? 0} en cours,{' '}
            <strong>{d.summary.overdue} en retard</strong>. {plural(d.summary.openingsAvailable, 'ouverture disponible')} sur {d.summary.openingsTotal}.
          </p>
          <p>
            <CsvLink href={roadmapUrls.updates(slug, { from: d.from, to: d.to, format: 'csv' })} label="Journal des mises à jour de la période (CSV)" />
          </p>
          <h3 className="fr-h5 fr-mt-3w">Changements de statut ({d.statusChanges.length})</h3>
          {d.statusChanges.length === 0 ? (
            <p>Aucun changement de statut sur la période.</p>
          ) : (
            <ul>
              {d.statusChanges.map((c, i) => (
                <li key={i}>
                  <Link to={`${base(slug)}/actions/${c.code}`}>{c.code}</Link> {c.title} : {statusText(c.from)} → <strong>{statusText(c.to)}</strong> (
                  {frDate(c.at)}, {actorLabel(c.by)}){c.note ? ` — ${c.note}` : ''}
                </li>
              ))}
            </ul>
          )}
          <h3 className="fr-h5 fr-mt-3w">Ouvertures livrées ({d.delivered.length})</h3>
          {d.delivered.length === 0 ? (
            <p>Aucune ouverture livrée sur la période.</p>
          ) : (
            <ul>
              {d.delivered.map((o, i) => (
                <li key={i}>
                  {o.title} : disponible le {frDay(o.availableOn)} (échéance {o.dueLabel}, {timelinessLabels[o.onTime ? 'a_temps' : 'en_retard'].toLowerCase()})
                  {o.automatic ? ', mise à jour automatique depuis le catalogue' : ''}
                </li>
              ))}
            </ul>
          )}
          <h3 className="fr-h5 fr-mt-3w">Actions en retard ({d.overdue.length})</h3>
          <details>
            <summary>Afficher les {d.overdue.length} actions en retard et leur dernière note</summary>
            <ul>
              {d.overdue.map((a) => (
                <li key={a.code}>
                  <Link to={`${base(slug)}/actions/${a.code}`}>{a.code}</Link> {a.title} — {a.deadlineLabel}, {statusText(a.status)}, {a.progress} %
                  {a.lastNote ? ` — ${frDate(a.lastNote.at)} : ${a.lastNote.note}` : ''}
                </li>
              ))}
            </ul>
          </details>
          <h3 className="fr-h5 fr-mt-3w">Indicateurs</h3>
          {d.indicators.length === 0 ? (
            <p>Aucun indicateur renseigné.</p>
          ) : (
            <ul>
              {d.indicators.map((x, i) => (
                <li key={i}>
                  {x.code} — {x.name} : {x.value ?? '—'} {x.unit ?? ''} (trimestre précédent : {x.previous ?? '—'} ; cible : {x.target ?? '—'})
                </li>
              ))}
            </ul>
          )}
          {d.gaps.length > 0 && (
            <>
              <h3 className="fr-h5 fr-mt-3w">Lacunes signalées ({d.gaps.length})</h3>
              <ul>
                {d.gaps.map((g, i) => (
                  <li key={i}>
                    <Link to={`${base(slug)}/actions/${g.actionCode}`}>{g.actionCode}</Link> {g.organisation ? `${g.organisation} : ` : ''}
                    {g.label}
                  </li>
                ))}
              </ul>
            </>
          )}
          {d.sections.map((sec) => (
            <section key={sec.id} aria-label={sec.title}>
              <h3 className="fr-h5 fr-mt-3w">{sec.title}</h3>
              <p>{sec.summary}</p>
              {sec.rows.length > 0 && (
                <div className="fr-table">
                  <table>
                    <caption>{sec.title}</caption>
                    <thead>
                      <tr>
                        {sec.columns.map((c) => (
                          <th scope="col" key={c}>
                            {c}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {sec.rows.map((row, i) => (
                        <tr key={i}>
                          {row.map((c, j) => (
                            <td key={j}>{c}</td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          ))}
          <h3 className="fr-h5 fr-mt-3w">Décisions</h3>
          <Decisions slug={slug} quarter={quarter} decisions={d.decisions} canEdit={hasRole('admin')} />
        </article>
      )}
    </RoadmapFrame>
  );
}

function Decisions({ slug, quarter, decisions, canEdit }: { slug: string; quarter: string; decisions: Report['decisions']; canEdit: boolean }) {
  const [text, setText] = useState('');
  const [actionCode, setActionCode] = useState('');
  const add = useCreateRoadmapDecision(slug);
  const del = useDeleteRoadmapDecision(slug);
  const err = add.error instanceof ApiError ? add.error : null;
  return (
    <>
      {decisions.length === 0 ? (
        <p>Aucune décision enregistrée pour ce comité.</p>
      ) : (
        <ol>
          {decisions.map((d) => (
            <li key={d.id}>
              {d.actionCode ? <strong>{d.actionCode} — </strong> : null}
              {d.text}{' '}
              <span className="fr-text--xs">
                ({actorLabel(d.by)}, {frDate(d.at)})
              </span>
              {canEdit && (
                <Button
                  size="small"
                  priority="tertiary"
                  className="fr-ml-1w"
                  onClick={() => del.mutate(d.id)}
                  title={`Supprimer la décision « ${d.text.slice(0, 40)} »`}
                >
                  Supprimer
                </Button>
              )}
            </li>
          ))}
        </ol>
      )}
      {canEdit && (
        <form
          aria-label="Enregistrer une décision"
          className="fr-mt-2w"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate(
              { quarter, text, actionCode: actionCode.trim() || null },
              {
                onSuccess: () => {
                  setText('');
                  setActionCode('');
                },
              },
            );
          }}
        >
          <FormErrors error={err} />
          <Input
            label="Décision du comité"
            textArea
            state={err?.fieldMessage('text') ? 'error' : undefined}
            stateRelatedMessage={err?.fieldMessage('text')}
            nativeTextAreaProps={{ value: text, rows: 2, maxLength: 5000, required: true, onChange: (e) => setText(e.target.value) }}
          />
          <Input
            label="Action concernée (facultatif)"
            hintText="Code, ex. A10"
            state={err?.fieldMessage('actionCode') ? 'error' : undefined}
            stateRelatedMessage={err?.fieldMessage('actionCode')}
            nativeInputProps={{ value: actionCode, maxLength: 10, onChange: (e) => setActionCode(e.target.value) }}
          />
          <Button type="submit" disabled={add.isPending}>
            Enregistrer la décision
          </Button>
        </form>
      )}
    </>
  );
}
