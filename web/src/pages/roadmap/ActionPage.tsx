import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { labelOf } from '@patrimoine/contracts/common';
import { actorLabel } from '@patrimoine/contracts/platform';
import { actionStatusLabels, actionStatuses, describeChange, updateKindLabels, type ActionStatus } from '@patrimoine/contracts/roadmap';
import { ApiError } from '../../api/client';
import { FormErrors } from '../../components/FormErrors';
import { useAuth } from '../../auth';
import { AssetPicker, CsvLink, StatusBadge, base } from './common';
import { frDateTime, frDay } from './format';
import { Progress, Sparkline } from './charts';
import { roadmapUrls, useCarryOverRoadmapAction, useRoadmapAction, useRoadmaps, useUpdateRoadmapAction, type ActionDetail, type ActionPatchBody } from './api';
import { PageError, PageTitle } from '../../components/Page';
import { theme } from '../../components/theme';

/** An action: its state, the source's remarks, indicators, linked assets, the update form and the dated log. */
export function ActionPage() {
  const { slug = '', code = '' } = useParams();
  const r = useRoadmapAction(slug, code);
  if (r.error) return <PageError error={r.error} />;
  if (!r.data) return <p>Chargement…</p>;
  const { action: a, roadmap } = r.data;
  return (
    <>
      <PageTitle parents={[{ label: roadmap.title, to: base(slug) }]}>
        {a.code} — {a.title}
      </PageTitle>
      <p>
        <StatusBadge status={a.status} overdue={a.overdue} /> <Progress value={a.progress} label={a.code} />
      </p>
      {a.sourceNote && <Alert severity="warning" small title="Remarque sur la source" description={a.sourceNote} className="fr-mb-3w" />}
      <dl className="fr-grid-row fr-grid-row--gutters roadmap-facts">
        <div className="fr-col-12 fr-col-md-6">
          <dt className="fr-text--bold">Section</dt>
          <dd>
            {a.section} — {a.sectionTitle}
          </dd>
          <dt className="fr-text--bold">Échéance</dt>
          <dd>
            {a.deadlineLabel} (au plus tard le {frDay(a.dueDate)})
          </dd>
          <dt className="fr-text--bold">Pilote</dt>
          <dd>{a.pilot ?? 'non renseigné'}</dd>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <dt className="fr-text--bold">Contributeurs</dt>
          <dd>{[...a.contributors.map((c) => `${c.name} (${c.code})`), ...a.collectiveContributors].join(', ') || '—'}</dd>
          <dt className="fr-text--bold">Dans la source</dt>
          <dd>{a.sourceContributors.join(', ') || '—'}</dd>
          {r.data.carriedFrom && (
            <>
              <dt className="fr-text--bold">Reprise de</dt>
              <dd>
                <Link to={`${base(r.data.carriedFrom.roadmapSlug)}/actions/${r.data.carriedFrom.code}`}>
                  {r.data.carriedFrom.code} — {r.data.carriedFrom.roadmapTitle}
                </Link>
              </dd>
            </>
          )}
          {r.data.carriedTo.map((c) => (
            <div key={c.roadmapSlug}>
              <dt className="fr-text--bold">Reprise dans</dt>
              <dd>
                <Link to={`${base(c.roadmapSlug)}/actions/${c.code}`}>
                  {c.code} — {c.roadmapTitle}
                </Link>
              </dd>
            </div>
          ))}
        </div>
      </dl>
      {r.data.subActions.length > 0 && (
        <>
          <h2 className="fr-h4">Sous-actions</h2>
          <ul>
            {r.data.subActions.map((s) => (
              <li key={s.code}>
                <Link to={`${base(slug)}/actions/${s.code}`}>{s.code}</Link> — {s.title} ({s.deadlineLabel}){' '}
                <StatusBadge status={s.status} overdue={s.overdue} />
              </li>
            ))}
          </ul>
        </>
      )}

      <h2 className="fr-h4">Indicateurs</h2>
      {r.data.indicators.length === 0 ? (
        <p>Aucun indicateur.</p>
      ) : (
        <div className="fr-table">
          <table>
            <caption className="fr-sr-only">Indicateurs de l’action</caption>
            <thead>
              <tr>
                <th scope="col">Indicateur</th>
                <th scope="col">Valeur actuelle</th>
                <th scope="col">Cible</th>
                <th scope="col">Historique</th>
              </tr>
            </thead>
            <tbody>
              {r.data.indicators.map((i) => (
                <tr key={i.id}>
                  <th scope="row">{i.name}</th>
                  <td>
                    {i.currentValue ?? '—'} {i.unit ?? ''}
                  </td>
                  <td>
                    {i.target ?? '—'} {i.target ? (i.unit ?? '') : ''}
                  </td>
                  <td className="fr-text--sm">
                    <Sparkline values={i.history.map((h) => Number(h.value.replace(',', '.')))} target={i.target ? Number(i.target.replace(',', '.')) : null} />{' '}
                    {i.history.map((h) => `${h.value} (${frDateTime(h.at)}, ${actorLabel(h.by)})`).join(' ; ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2 className="fr-h4">Actifs du catalogue liés</h2>
      {r.data.assets.length === 0 ? (
        <p>Aucun actif lié.</p>
      ) : (
        <ul>
          {r.data.assets.map((x) => (
            <li key={x.id}>
              {x.found ? <Link to={`/catalogue/${x.kind}/${x.slug}`}>{x.title}</Link> : <span>Actif {x.id} (introuvable dans le catalogue)</span>}
            </li>
          ))}
        </ul>
      )}

      {a.canEdit ? (
        <UpdateForm detail={r.data} slug={slug} />
      ) : (
        <p className="fr-text--sm">
          Seuls l’administrateur ministériel et les administrateurs des données des organisations contributrices mettent à jour cette action.
        </p>
      )}
      <CarryOver detail={r.data} slug={slug} />

      <div className="fr-grid-row fr-grid-row--middle fr-mt-4w" style={{ gap: '1rem' }}>
        <h2 className="fr-h4 fr-mb-1w">Journal des mises à jour</h2>
        <CsvLink href={roadmapUrls.updates(slug, { action: a.code, format: 'csv' })} label="CSV" />
      </div>
      <ol className="fr-raw-list roadmap-log">
        {r.data.updates.map((u) => (
          <li key={u.id} className="fr-mb-2w" style={{ borderLeft: `3px solid ${theme.blueBorder}`, paddingLeft: '.75rem' }}>
            <p className="fr-text--sm fr-mb-1v">
              <strong>{frDateTime(u.at)}</strong> — {actorLabel(u.actorLabel)} — {labelOf(updateKindLabels, u.kind)}
              {u.actionCode && u.actionCode !== a.code ? ` (${u.actionCode}, ${u.roadmapTitle})` : ''}
            </p>
            {u.note && <p className="fr-mb-1v">{u.note}</p>}
            {Object.keys(u.changes).length > 0 && (
              <ul className="fr-text--sm">
                {Object.entries(u.changes).map(([k, c]) => (
                  <li key={k}>{describeChange(k, c)}</li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}

function UpdateForm({ detail, slug }: { detail: ActionDetail; slug: string }) {
  const a = detail.action;
  const { hasRole } = useAuth();
  const [status, setStatus] = useState<ActionStatus>(a.status);
  const [progress, setProgress] = useState(String(a.progress));
  const [pilot, setPilot] = useState(a.pilot ?? '');
  const [note, setNote] = useState('');
  const [ind, setInd] = useState({ name: '', unit: '', target: '', value: '' });
  const [assetIds, setAssetIds] = useState<string[]>(a.assetIds);
  const [assetTitles, setAssetTitles] = useState<Record<string, string>>(Object.fromEntries(detail.assets.map((x) => [x.id, x.title ?? x.id])));
  const [deadline, setDeadline] = useState(a.deadline);
  const [done, setDone] = useState(false);
  const m = useUpdateRoadmapAction(slug, a.code);
  const bodyOf = (): ActionPatchBody => {
    const body: ActionPatchBody = { note: note.trim() || undefined };
    if (status !== a.status) body.status = status;
    if (progress !== String(a.progress)) body.progress = progress === '' ? undefined : Number(progress);
    if (pilot !== (a.pilot ?? '')) body.pilot = pilot || null;
    if (JSON.stringify(assetIds) !== JSON.stringify(a.assetIds)) body.assetIds = assetIds;
    if (hasRole('admin') && deadline !== a.deadline) body.deadline = deadline;
    if (ind.name.trim())
      body.indicators = [{ name: ind.name.trim(), unit: ind.unit || undefined, target: ind.target || undefined, value: ind.value || undefined }];
    return body;
  };
  const err = m.error instanceof ApiError ? m.error : null;
  const fieldMsg = (f: string) => err?.fieldMessage(f);
  const state = (f: string) => (fieldMsg(f) ? ('error' as const) : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    m.mutate(bodyOf(), {
      onSuccess: () => {
        setNote('');
        setInd({ name: '', unit: '', target: '', value: '' });
        setDone(true);
      },
    });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Mettre à jour l’action" className="fr-mt-4w fr-p-3w" style={{ border: `1px solid ${theme.grid}` }}>
      <h2 className="fr-h4">Mettre à jour l’action</h2>
      {done && <Alert severity="success" small description="Mise à jour enregistrée." className="fr-mb-2w" />}
      <FormErrors error={err} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Select
            label="Statut"
            state={state('status')}
            stateRelatedMessage={fieldMsg('status')}
            nativeSelectProps={{ value: status, onChange: (e) => setStatus(e.target.value as ActionStatus) }}
          >
            {actionStatuses.map((s) => (
              <option key={s} value={s}>
                {actionStatusLabels[s]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Input
            label="Avancement (%)"
            state={state('progress')}
            stateRelatedMessage={fieldMsg('progress')}
            nativeInputProps={{ type: 'number', min: 0, max: 100, step: 1, value: progress, onChange: (e) => setProgress(e.target.value) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Input
            label="Pilote"
            state={state('pilot')}
            stateRelatedMessage={fieldMsg('pilot')}
            nativeInputProps={{ value: pilot, maxLength: 200, onChange: (e) => setPilot(e.target.value) }}
          />
        </div>
      </div>
      {hasRole('admin') && (
        <Input
          label="Échéance (AAAA-S1, AAAA-S2 ou AAAA-T1…T4)"
          hintText="Réservé à l’administrateur ministériel (décision du comité)"
          state={state('deadline')}
          stateRelatedMessage={fieldMsg('deadline')}
          nativeInputProps={{ value: deadline, onChange: (e) => setDeadline(e.target.value) }}
        />
      )}
      <Input
        label="Note"
        textArea
        hintText="Ce qui a été fait, les difficultés, la suite. Elle apparaît dans le journal et dans le rapport du comité."
        state={state('note')}
        stateRelatedMessage={fieldMsg('note')}
        nativeTextAreaProps={{ value: note, maxLength: 5000, rows: 3, onChange: (e) => setNote(e.target.value) }}
      />
      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend fr-text--regular">
          Indicateur (facultatif : nouvel indicateur ou nouvelle valeur d’un indicateur existant)
        </legend>
        <div className="fr-grid-row fr-grid-row--gutters" style={{ width: '100%' }}>
          <div className="fr-col-12 fr-col-md-4">
            <Input
              label="Nom de l’indicateur"
              state={state('indicators.0.name')}
              stateRelatedMessage={fieldMsg('indicators.0.name')}
              nativeInputProps={{ value: ind.name, list: `ind-${a.code}`, onChange: (e) => setInd({ ...ind, name: e.target.value }) }}
            />
            <datalist id={`ind-${a.code}`}>
              {detail.indicators.map((i) => (
                <option key={i.id} value={i.name} />
              ))}
            </datalist>
          </div>
          <div className="fr-col-4 fr-col-md-2">
            <Input
              label="Valeur"
              state={state('indicators.0.value')}
              stateRelatedMessage={fieldMsg('indicators.0.value')}
              nativeInputProps={{ value: ind.value, inputMode: 'decimal', onChange: (e) => setInd({ ...ind, value: e.target.value }) }}
            />
          </div>
          <div className="fr-col-4 fr-col-md-2">
            <Input
              label="Cible"
              state={state('indicators.0.target')}
              stateRelatedMessage={fieldMsg('indicators.0.target')}
              nativeInputProps={{ value: ind.target, inputMode: 'decimal', onChange: (e) => setInd({ ...ind, target: e.target.value }) }}
            />
          </div>
          <div className="fr-col-4 fr-col-md-2">
            <Input label="Unité" nativeInputProps={{ value: ind.unit, onChange: (e) => setInd({ ...ind, unit: e.target.value }) }} />
          </div>
        </div>
      </fieldset>
      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend fr-text--regular">Actifs du catalogue liés</legend>
        <ul style={{ width: '100%' }}>
          {assetIds.map((id) => (
            <li key={id}>
              {assetTitles[id] ?? id}{' '}
              <Button size="small" priority="tertiary" type="button" onClick={() => setAssetIds(assetIds.filter((x) => x !== id))}>
                Retirer
              </Button>
            </li>
          ))}
        </ul>
        {fieldMsg('assetIds.0') && <p className="fr-error-text">{fieldMsg('assetIds.0')}</p>}
        <AssetPicker
          label="Lier un actif du catalogue"
          onPick={(x) => {
            if (!assetIds.includes(x.id)) setAssetIds([...assetIds, x.id]);
            setAssetTitles({ ...assetTitles, [x.id]: x.title });
          }}
        />
      </fieldset>
      <Button type="submit" disabled={m.isPending}>
        Enregistrer la mise à jour
      </Button>
    </form>
  );
}

function CarryOver({ detail, slug }: { detail: ActionDetail; slug: string }) {
  const { hasRole } = useAuth();
  const list = useRoadmaps();
  const navigate = useNavigate();
  const [target, setTarget] = useState('');
  const [code, setCode] = useState(detail.action.code);
  const [deadline, setDeadline] = useState('');
  const a = detail.action;
  const m = useCarryOverRoadmapAction(slug, a.code);
  const targets = (list.data?.items ?? []).filter((r) => r.slug !== slug && r.startYear >= detail.roadmap.startYear);
  if (!hasRole('admin') || targets.length === 0 || a.status === 'realisee' || a.status === 'abandonnee' || detail.carriedTo.length) return null;
  const err = m.error instanceof ApiError ? m.error : null;
  return (
    <form
      aria-label="Reprendre l’action dans une autre feuille de route"
      className="fr-mt-3w fr-p-3w"
      style={{ border: `1px solid ${theme.grid}` }}
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ targetRoadmap: target, code, deadline }, { onSuccess: (r) => navigate(`${base(r.roadmap.slug)}/actions/${r.code}`) });
      }}
    >
      <h2 className="fr-h4">Reprendre dans une feuille de route ultérieure</h2>
      <FormErrors error={err} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Select
            label="Feuille de route"
            state={err?.fieldMessage('targetRoadmap') ? 'error' : undefined}
            stateRelatedMessage={err?.fieldMessage('targetRoadmap')}
            nativeSelectProps={{ value: target, required: true, onChange: (e) => setTarget(e.target.value) }}
          >
            <option value="">Choisir…</option>
            {targets.map((r) => (
              <option key={r.slug} value={r.slug}>
                {r.title}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-6 fr-col-md-3">
          <Input
            label="Nouveau code"
            state={err?.fieldMessage('code') ? 'error' : undefined}
            stateRelatedMessage={err?.fieldMessage('code')}
            nativeInputProps={{ value: code, onChange: (e) => setCode(e.target.value) }}
          />
        </div>
        <div className="fr-col-6 fr-col-md-3">
          <Input
            label="Nouvelle échéance (ex. 2025-S1)"
            state={err?.fieldMessage('deadline') ? 'error' : undefined}
            stateRelatedMessage={err?.fieldMessage('deadline')}
            nativeInputProps={{ value: deadline, required: true, onChange: (e) => setDeadline(e.target.value) }}
          />
        </div>
      </div>
      <Button type="submit" priority="secondary" disabled={m.isPending}>
        Reprendre l’action
      </Button>
    </form>
  );
}
