import { plural } from '../../components/plural';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { criterionAxes, criterionAxisLabels, projectStatusLabels } from '@patrimoine/contracts/governance';
import { actorLabel } from '@patrimoine/contracts/platform';
import { ApiError } from '../../api/client';
import { OrganisationSelect } from '../../components/OrganisationSelect';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormErrors } from '../../components/FormErrors';
import { useAuth } from '../../auth';
import { CsvLink, G, GovernanceFrame, frDay } from './common';
import { Matrix } from './charts';
import {
  governanceUrls,
  useCreateProject,
  useDecideProject,
  useGrid,
  useProject,
  useProjects,
  useSaveGrid,
  useScoreProject,
  type CriterionBody,
  type Grid,
  type Project,
} from './api';

const statusSeverity = { proposee: 'new', evaluee: 'info', retenue: 'success', ajournee: 'warning', rejetee: 'error' } as const;

function GridTable({ grid }: { grid: Grid }) {
  return (
    <div className="fr-table">
      <table>
        <caption>Grille d’évaluation des projets de données</caption>
        <thead>
          <tr>
            <th scope="col">Critère</th>
            <th scope="col">Axe</th>
            <th scope="col">Poids</th>
            <th scope="col">Justification</th>
          </tr>
        </thead>
        <tbody>
          {grid.criteria.map((k) => (
            <tr key={k.id}>
              <th scope="row">{k.label}</th>
              <td>{criterionAxisLabels[k.axis]}</td>
              <td>{k.weight}</td>
              <td>{k.justification}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function GridEditor({ grid, onDone }: { grid: Grid; onDone: () => void }) {
  const save = useSaveGrid();
  const [rows, setRows] = useState<CriterionBody[]>(
    grid.criteria.map(({ id, label, axis, weight, justification }) => ({ id, label, axis, weight, justification })),
  );
  const err = save.error instanceof ApiError ? save.error : null;
  const msg = (i: number, f: string) => err?.errors.find((e) => e.field === `body.criteria.${i}.${f}` || e.field === `criteria.${i}.${f}`)?.message;
  const up = (i: number, patch: Partial<CriterionBody>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <form
      aria-label="Modifier la grille"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(rows, { onSuccess: onDone });
      }}
    >
      {rows.map((r, i) => (
        <fieldset key={r.id ?? `new-${i}`} className="fr-fieldset fr-mb-2w" aria-label={`Critère ${i + 1}`}>
          <div className="fr-grid-row fr-grid-row--gutters" style={{ width: '100%' }}>
            <div className="fr-col-12 fr-col-md-4">
              <Input
                label={`Critère ${i + 1}`}
                state={msg(i, 'label') ? 'error' : 'default'}
                stateRelatedMessage={msg(i, 'label')}
                nativeInputProps={{ value: r.label, onChange: (e) => up(i, { label: e.target.value }) }}
              />
            </div>
            <div className="fr-col-6 fr-col-md-2">
              <Select label="Axe" nativeSelectProps={{ value: r.axis, onChange: (e) => up(i, { axis: e.target.value as 'valeur' }) }}>
                {criterionAxes.map((a) => (
                  <option key={a} value={a}>
                    {criterionAxisLabels[a]}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-6 fr-col-md-2">
              <Input
                label="Poids"
                state={msg(i, 'weight') ? 'error' : 'default'}
                stateRelatedMessage={msg(i, 'weight')}
                nativeInputProps={{ type: 'number', min: 1, max: 100, value: r.weight, onChange: (e) => up(i, { weight: Number(e.target.value) }) }}
              />
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <Input
                label="Justification"
                state={msg(i, 'justification') ? 'error' : 'default'}
                stateRelatedMessage={msg(i, 'justification')}
                nativeInputProps={{ value: r.justification, onChange: (e) => up(i, { justification: e.target.value }) }}
              />
            </div>
          </div>
          <Button type="button" size="small" priority="tertiary" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
            Retirer ce critère
          </Button>
        </fieldset>
      ))}
      <Button type="button" priority="secondary" onClick={() => setRows([...rows, { label: '', axis: 'valeur', weight: 10, justification: '' }])}>
        Ajouter un critère
      </Button>{' '}
      <Button type="submit" disabled={save.isPending}>
        Enregistrer la grille
      </Button>
      <FormErrors error={save.error} />
    </form>
  );
}

function ProposeForm() {
  const { me } = useAuth();
  const create = useCreateProject();
  const [v, setV] = useState({ title: '', description: '', organisation: me?.user?.organisationCode ?? '', assets: '' });
  const err = create.error instanceof ApiError ? create.error : null;
  const msg = (f: string) =>
    err?.errors.find((e) => e.field === f || e.field === `body.${f}` || e.field.startsWith(`${f}.`) || e.field.startsWith(`body.${f}.`))?.message;
  return (
    <form
      aria-label="Proposer un projet"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          { title: v.title, description: v.description, organisation: v.organisation, assets: v.assets.split(/[\s,;]+/).filter(Boolean) },
          { onSuccess: () => setV({ ...v, title: '', description: '', assets: '' }) },
        );
      }}
    >
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Input
            label="Titre du projet"
            state={msg('title') ? 'error' : 'default'}
            stateRelatedMessage={msg('title')}
            nativeInputProps={{ value: v.title, onChange: (e) => setV({ ...v, title: e.target.value }) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <OrganisationSelect
            label="Direction porteuse"
            value={v.organisation}
            onChange={(organisation) => setV({ ...v, organisation })}
            error={msg('organisation')}
          />
        </div>
        <div className="fr-col-12">
          <Input label="Description" textArea nativeTextAreaProps={{ value: v.description, onChange: (e) => setV({ ...v, description: e.target.value }) }} />
        </div>
        <div className="fr-col-12">
          <Input
            label="Actifs du catalogue utilisés (références type:identifiant)"
            hintText="Par exemple : dataset:rna api:api-rga"
            state={msg('assets') ? 'error' : 'default'}
            stateRelatedMessage={msg('assets')}
            nativeInputProps={{ value: v.assets, onChange: (e) => setV({ ...v, assets: e.target.value }) }}
          />
        </div>
      </div>
      <FormErrors error={create.error} />
      <Button type="submit" disabled={create.isPending}>
        Proposer le projet
      </Button>
    </form>
  );
}

function MatrixTable({ items }: { items: Project[] }) {
  return (
    <div className="fr-table">
      <table>
        <caption>Projets évalués : valeur et effort</caption>
        <thead>
          <tr>
            <th scope="col">N°</th>
            <th scope="col">Projet</th>
            <th scope="col">Valeur</th>
            <th scope="col">Effort</th>
            <th scope="col">Statut</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p, i) => (
            <tr key={p.id}>
              <td>{i + 1}</td>
              <th scope="row">{p.title}</th>
              <td>{p.value}</td>
              <td>{p.effort}</td>
              <td>{projectStatusLabels[p.status]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Value of data projects (A29): the grid, the matrix, the proposals. */
export function ProjectsPage() {
  const grid = useGrid();
  const projects = useProjects();
  const { hasRole } = useAuth();
  const [editing, setEditing] = useState(false);
  const scored = (projects.data?.items ?? []).filter((p) => p.value !== null && p.effort !== null);
  return (
    <GovernanceFrame title="Valeur des projets de données">
      <ErrorAlert error={grid.error ?? projects.error} />
      <h2 className="fr-h4">Matrice valeur / effort</h2>
      <Matrix
        title="Projets évalués : valeur en fonction de l’effort"
        points={scored.map((p) => ({ id: p.id, label: p.title, value: p.value!, effort: p.effort!, status: p.status }))}
        table={<MatrixTable items={scored} />}
      />
      <h2 className="fr-h4">Propositions</h2>
      <p>
        <CsvLink href={governanceUrls.projectsCsv()} label="Exporter les propositions et leurs notes (CSV)" />
      </p>
      {projects.data && (
        <div className="fr-table">
          <table>
            <caption>{plural(projects.data.items.length, 'proposition')}</caption>
            <thead>
              <tr>
                <th scope="col">Projet</th>
                <th scope="col">Direction</th>
                <th scope="col">Statut</th>
                <th scope="col">Valeur</th>
                <th scope="col">Effort</th>
                <th scope="col">Complétude des actifs</th>
              </tr>
            </thead>
            <tbody>
              {projects.data.items.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <Link to={`${G}/projets/${p.id}`}>{p.title}</Link>
                  </th>
                  <td>{p.organisationCode}</td>
                  <td>
                    <Badge as="span" severity={statusSeverity[p.status]} small>
                      {projectStatusLabels[p.status]}
                    </Badge>
                  </td>
                  <td>{p.value ?? '—'}</td>
                  <td>{p.effort ?? '—'}</td>
                  <td>{p.catalogQuality === null ? '—' : `${p.catalogQuality} %`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hasRole('admin', 'data_admin', 'editor') && (
        <section className="fr-mt-4w">
          <h2 className="fr-h4">Proposer un projet</h2>
          <ProposeForm />
        </section>
      )}
      <h2 className="fr-h4 fr-mt-4w">Grille d’évaluation</h2>
      {grid.data && (editing ? <GridEditor grid={grid.data} onDone={() => setEditing(false)} /> : <GridTable grid={grid.data} />)}
      {hasRole('admin') && !editing && (
        <Button priority="secondary" onClick={() => setEditing(true)}>
          Modifier la grille
        </Button>
      )}
    </GovernanceFrame>
  );
}

function ScoreForm({ p, grid }: { p: Project; grid: Grid }) {
  const score = useScoreProject(p.id);
  const [v, setV] = useState<Record<string, string>>(() =>
    Object.fromEntries(grid.criteria.map((k) => [k.id, String(p.scores.find((s) => s.criterionId === k.id)?.score ?? '')])),
  );
  const err = score.error instanceof ApiError ? score.error : null;
  return (
    <form
      aria-label="Évaluer le projet"
      onSubmit={(e) => {
        e.preventDefault();
        score.mutate(grid.criteria.filter((k) => v[k.id] !== '').map((k) => ({ criterionId: k.id, score: Number(v[k.id]) })));
      }}
    >
      <div className="fr-grid-row fr-grid-row--gutters">
        {grid.criteria.map((k) => {
          const m = err?.errors.find((e) => e.field.endsWith(k.id))?.message;
          return (
            <div key={k.id} className="fr-col-12 fr-col-md-4">
              <Select
                label={`${k.label} (${criterionAxisLabels[k.axis].toLowerCase()}, poids ${k.weight})`}
                state={m ? 'error' : 'default'}
                stateRelatedMessage={m}
                nativeSelectProps={{ value: v[k.id], onChange: (e) => setV({ ...v, [k.id]: e.target.value }) }}
              >
                <option value="">—</option>
                {[0, 1, 2, 3, 4, 5].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </Select>
            </div>
          );
        })}
      </div>
      <FormErrors error={score.error} />
      <Button type="submit" disabled={score.isPending}>
        Enregistrer l’évaluation
      </Button>
    </form>
  );
}

function DecisionForm({ p }: { p: Project }) {
  const decide = useDecideProject(p.id);
  const [status, setStatus] = useState<'retenue' | 'ajournee' | 'rejetee'>('retenue');
  const [decision, setDecision] = useState('');
  const err = decide.error instanceof ApiError ? decide.error : null;
  return (
    <form
      aria-label="Décision sur le projet"
      onSubmit={(e) => {
        e.preventDefault();
        decide.mutate({ status, decision });
      }}
    >
      <Select label="Décision" nativeSelectProps={{ value: status, onChange: (e) => setStatus(e.target.value as 'retenue') }}>
        {(['retenue', 'ajournee', 'rejetee'] as const).map((s) => (
          <option key={s} value={s}>
            {projectStatusLabels[s]}
          </option>
        ))}
      </Select>
      <Input
        label="Motif"
        textArea
        state={err?.fieldMessage('decision') ? 'error' : 'default'}
        stateRelatedMessage={err?.fieldMessage('decision')}
        nativeTextAreaProps={{ value: decision, onChange: (e) => setDecision(e.target.value) }}
      />
      <FormErrors error={decide.error} />
      <Button type="submit" disabled={decide.isPending}>
        Enregistrer la décision
      </Button>
    </form>
  );
}

/** A project: its assets, its scores, the lab's evaluation and the decision. */
export function ProjectPage() {
  const { id = '' } = useParams();
  const p = useProject(id);
  const grid = useGrid();
  const { hasRole } = useAuth();
  const d = p.data;
  return (
    <GovernanceFrame title={d?.title ?? 'Projet'}>
      <ErrorAlert error={p.error ?? grid.error} />
      {d && grid.data && (
        <>
          <p>
            <Badge as="span" severity={statusSeverity[d.status]}>
              {projectStatusLabels[d.status]}
            </Badge>{' '}
            Direction {d.organisationCode}, proposé par {actorLabel(d.createdBy)} le {frDay(d.createdAt)}.
          </p>
          {d.description && <p>{d.description}</p>}
          <p data-testid="scores">
            Valeur : <strong>{d.value ?? '—'}</strong>/100 · Effort : <strong>{d.effort ?? '—'}</strong>/100
            {d.scoredBy ? ` (évalué par ${actorLabel(d.scoredBy)} le ${frDay(d.scoredAt)})` : ''}
          </p>
          <h2 className="fr-h5">Actifs du catalogue</h2>
          {d.assets.length ? (
            <ul>
              {d.assets.map((a) => (
                <li key={a.id}>
                  <Link to={`/catalogue/${a.ref.replace(':', '/')}`}>{a.title}</Link> — complétude {a.completeness} %
                </li>
              ))}
            </ul>
          ) : (
            <p>Aucun actif lié.</p>
          )}
          {d.decision && (
            <p>
              <strong>Décision :</strong> {d.decision} ({d.decidedBy ? actorLabel(d.decidedBy) : ''}, {frDay(d.decidedAt)})
            </p>
          )}
          {hasRole('admin', 'reviewer') && (d.status === 'proposee' || d.status === 'evaluee') && (
            <section className="fr-mt-3w">
              <h2 className="fr-h5">Évaluation (lab data)</h2>
              <ScoreForm p={d} grid={grid.data} />
            </section>
          )}
          {hasRole('admin') && d.value !== null && (
            <section className="fr-mt-3w">
              <h2 className="fr-h5">Décision</h2>
              <DecisionForm p={d} />
            </section>
          )}
          <p className="fr-mt-3w">
            <Link to={`${G}/projets`}>Retour à la matrice</Link>
          </p>
        </>
      )}
    </GovernanceFrame>
  );
}
