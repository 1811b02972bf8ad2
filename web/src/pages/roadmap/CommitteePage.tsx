import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { api, ApiError, qs } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { useAuth } from '../../auth';
import { CsvLink, RoadmapFrame, apiBase, base, useRoadmap } from './common';
import { actionStatusLabel, frDate, frDay, openingStatusLabel } from './labels';
import type { ActionStatus } from './types';

interface Report {
  quarter: string;
  quarterLabel: string;
  previousQuarter: string;
  from: string;
  to: string;
  summary: {
    actions: Record<string, number>;
    overdue: number;
    statusChanges: number;
    progressChanges: number;
    notes: number;
    openingsDelivered: number;
    openingsAvailable: number;
    openingsTotal: number;
  };
  statusChanges: { code: string; title: string; from: string; to: string; at: string; by: string; note: string | null }[];
  delivered: { title: string; dueLabel: string; availableOn: string; onTime: boolean; automatic: boolean }[];
  overdue: {
    code: string;
    title: string;
    deadlineLabel: string;
    status: ActionStatus;
    progress: number;
    contributors: string[];
    lastNote: { at: string; by: string; note: string } | null;
  }[];
  indicators: { code: string; name: string; unit: string | null; target: string | null; value: string | null; previous: string | null }[];
  decisions: { id: string; text: string; actionCode: string | null; by: string; at: string }[];
}

const statusText = (s: string) => actionStatusLabel[s as ActionStatus] ?? openingStatusLabel[s as keyof typeof openingStatusLabel] ?? s;

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
  const r = useQuery({
    queryKey: ['roadmap-report', slug, quarter],
    enabled: !!quarter,
    queryFn: () => api<Report>(`${apiBase(slug)}/report${qs({ quarter })}`),
  });
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
          <a
            className="fr-btn fr-btn--icon-left fr-icon-printer-line"
            href={`${apiBase(slug)}/report${qs({ quarter, format: 'html' })}`}
            target="_blank"
            rel="noopener"
          >
            Version imprimable (nouvel onglet)
          </a>
          <a
            className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line"
            href={`${apiBase(slug)}/report${qs({ quarter, format: 'md' })}`}
            download
          >
            Télécharger en Markdown
          </a>
        </div>
      </div>
      <ErrorAlert error={r.error} />
      {d && (
        <article aria-label={`Rapport du comité, ${d.quarterLabel}`}>
          <h2 className="fr-h3">{d.quarterLabel}</h2>
          <p>
            Période du {frDay(d.from)} au {frDay(d.to)}, depuis le comité du trimestre précédent ({d.previousQuarter}). {d.summary.actions.total} actions :{' '}
            {d.summary.actions.realisee ?? 0} réalisées, {d.summary.actions.en_cours ?? 0} en cours, <strong>{d.summary.overdue} en retard</strong>.{' '}
            {d.summary.openingsAvailable} ouvertures disponibles sur {d.summary.openingsTotal}.
          </p>
          <p>
            <CsvLink href={`${apiBase(slug)}/updates${qs({ from: d.from, to: d.to, format: 'csv' })}`} label="Journal des mises à jour de la période (CSV)" />
          </p>
          <h3 className="fr-h5 fr-mt-3w">Changements de statut ({d.statusChanges.length})</h3>
          {d.statusChanges.length === 0 ? (
            <p>Aucun changement de statut sur la période.</p>
          ) : (
            <ul>
              {d.statusChanges.map((c, i) => (
                <li key={i}>
                  <Link to={`${base(slug)}/actions/${c.code}`}>{c.code}</Link> {c.title} : {statusText(c.from)} → <strong>{statusText(c.to)}</strong> (
                  {frDate(c.at)}, {c.by}){c.note ? ` — ${c.note}` : ''}
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
                  {o.title} : disponible le {frDay(o.availableOn)} (échéance {o.dueLabel}, {o.onTime ? 'dans les délais' : 'en retard'})
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
          <h3 className="fr-h5 fr-mt-3w">Décisions</h3>
          <Decisions slug={slug} quarter={quarter} decisions={d.decisions} canEdit={hasRole('admin')} />
        </article>
      )}
    </RoadmapFrame>
  );
}

function Decisions({ slug, quarter, decisions, canEdit }: { slug: string; quarter: string; decisions: Report['decisions']; canEdit: boolean }) {
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const [actionCode, setActionCode] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: ['roadmap-report', slug] });
  const add = useMutation({
    mutationFn: () => api(`${apiBase(slug)}/decisions`, { method: 'POST', body: { quarter, text, actionCode: actionCode.trim() || null } }),
    onSuccess: () => {
      setText('');
      setActionCode('');
      return refresh();
    },
  });
  const del = useMutation({ mutationFn: (id: string) => api(`${apiBase(slug)}/decisions/${id}`, { method: 'DELETE' }), onSuccess: refresh });
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
                ({d.by}, {frDate(d.at)})
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
            add.mutate();
          }}
        >
          {err && !err.errors.length && <ErrorAlert error={err} />}
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
