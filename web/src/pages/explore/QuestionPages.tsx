import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import {
  extractStateLabels,
  filterOpLabels,
  filterOps,
  measureFnLabels,
  measureFns,
  unaryOps,
  visualizationLabels,
  visualizations,
  type FilterOp,
  type MeasureFn,
  type QuestionDefinition,
  type Visualization,
} from '@patrimoine/contracts/explore';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormErrors } from '../../components/FormErrors';
import { PageError, PageTitle } from '../../components/Page';
import { plural } from '../../components/plural';
import {
  exploreUrls,
  useExplorableResources,
  useQuestion,
  useQuestions,
  useResult,
  useRun,
  useSaveQuestion,
  type ExplorableResource,
  type QueryResult,
} from './api';
import { ResultChart, ResultTable } from './charts';

const parents = [{ label: 'Questions', to: '/exploration/questions' }];

/** Questions over published data, and the resources one may explore. */
export function QuestionsPage() {
  const qs = useQuestions();
  const rs = useExplorableResources();
  return (
    <>
      <PageTitle>Questions sur les données publiées</PageTitle>
      <p>
        <Link className="fr-btn fr-btn--icon-left fr-icon-add-line" to="/exploration/questions/nouvelle">
          Nouvelle question
        </Link>{' '}
        <Link className="fr-btn fr-btn--secondary" to="/exploration/tableaux">
          Tableaux de bord
        </Link>
      </p>
      {qs.error && <ErrorAlert error={qs.error} />}
      {qs.data && (
        <div className="fr-table fr-table--sm">
          <table>
            <caption>{plural(qs.data.items.length, 'question')}</caption>
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Mode</th>
                <th scope="col">Affichage</th>
                <th scope="col">Auteur</th>
              </tr>
            </thead>
            <tbody>
              {qs.data.items.map((q) => (
                <tr key={q.id}>
                  <td>
                    <Link to={`/exploration/questions/${q.id}`}>{q.title}</Link>
                  </td>
                  <td>{q.mode === 'sql' ? 'SQL' : 'Assistant'}</td>
                  <td>{visualizationLabels[q.visualization]}</td>
                  <td>{q.createdBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Ressources à explorer</h2>
      {rs.error && <ErrorAlert error={rs.error} />}
      {rs.data && (
        <ul>
          {rs.data.items.map((r) => (
            <li key={r.resourceId}>
              {r.datasetTitle} — {r.resourceTitle} (v{r.versionNumber}) · {r.rows !== null ? plural(r.rows, 'ligne') : '—'}{' '}
              <Badge as="span" small severity={r.state === 'ready' ? 'success' : r.state === 'failed' ? 'error' : 'info'}>
                {extractStateLabels[r.state]}
              </Badge>
              {!r.public && (
                <>
                  {' '}
                  <Badge as="span" small severity="warning">
                    Restreint
                  </Badge>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

type FilterRow = { column: string; op: FilterOp; value: string };

function toDefinition(s: {
  resourceId: string;
  filters: FilterRow[];
  group1: string;
  grain: string;
  group2: string;
  fn: MeasureFn;
  measureColumn: string;
  sort: string;
  limit: number;
}): QuestionDefinition {
  return {
    resourceId: s.resourceId,
    filters: s.filters
      .filter((f) => f.column)
      .map((f) => ({
        column: f.column,
        op: f.op,
        ...(unaryOps.includes(f.op) ? {} : { value: f.op === 'in' || f.op === 'notin' ? f.value.split(',').map((v) => v.trim()) : f.value }),
      })),
    groupBy: [
      ...(s.group1 ? [{ column: s.group1, ...(s.grain ? { grain: s.grain as 'month' | 'year' } : {}) }] : []),
      ...(s.group1 && s.group2 ? [{ column: s.group2 }] : []),
    ],
    measures: [{ fn: s.fn, ...(s.fn === 'count' ? {} : { column: s.measureColumn }) }],
    sort: s.sort ? { by: s.sort.replace(/:(asc|desc)$/, ''), direction: s.sort.endsWith(':asc') ? 'asc' : 'desc' } : null,
    limit: s.limit,
  };
}

/** The no-code builder (and SQL for the data team): a resource, filters, one or two groupings, a measure, a sort, a limit. */
export function QuestionEditPage() {
  const { id = null } = useParams();
  const existing = useQuestion(id);
  const resources = useExplorableResources();
  const { hasRole } = useAuth();
  const navigate = useNavigate();
  const run = useRun();
  const save = useSaveQuestion(id);
  const [mode, setMode] = useState<'builder' | 'sql'>('builder');
  const [title, setTitle] = useState('');
  const [visualization, setVisualization] = useState<Visualization>('table');
  const [resourceId, setResourceId] = useState('');
  const [filters, setFilters] = useState<FilterRow[]>([]);
  const [group1, setGroup1] = useState('');
  const [grain, setGrain] = useState('');
  const [group2, setGroup2] = useState('');
  const [fn, setFn] = useState<MeasureFn>('count');
  const [measureColumn, setMeasureColumn] = useState('');
  const [sort, setSort] = useState('');
  const [limit, setLimit] = useState(1000);
  const [sql, setSql] = useState('');
  const [alias, setAlias] = useState('donnees');
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    const q = existing.data;
    if (!q || loaded) return;
    setLoaded(true);
    setTitle(q.title);
    setVisualization(q.visualization);
    setMode(q.mode);
    if (q.builder) {
      const b = q.builder;
      setResourceId(b.resourceId);
      setFilters(b.filters.map((f) => ({ column: f.column, op: f.op, value: Array.isArray(f.value) ? f.value.join(',') : String(f.value ?? '') })));
      setGroup1(b.groupBy[0]?.column ?? '');
      setGrain(b.groupBy[0]?.grain ?? '');
      setGroup2(b.groupBy[1]?.column ?? '');
      setFn(b.measures[0]?.fn ?? 'count');
      setMeasureColumn(b.measures[0]?.column ?? '');
      setSort(b.sort ? `${b.sort.by}:${b.sort.direction}` : '');
      setLimit(b.limit);
    }
    if (q.sql) {
      setSql(q.sql.sql);
      setResourceId(q.sql.sources[0]?.resourceId ?? '');
      setAlias(q.sql.sources[0]?.alias ?? 'donnees');
    }
  }, [existing.data, loaded]);

  if (id && existing.error) return <PageError error={existing.error} />;
  const ready = (resources.data?.items ?? []).filter((r) => r.state === 'ready');
  const resource: ExplorableResource | undefined = ready.find((r) => r.resourceId === resourceId);
  const columns = resource?.columns ?? [];
  const numeric = columns.filter((c) => c.kind === 'number');
  const builder = () => toDefinition({ resourceId, filters, group1, grain, group2, fn, measureColumn, sort, limit });
  const body = () => (mode === 'builder' ? { mode, builder: builder() } : { mode, sql: { sql, sources: [{ alias, resourceId }] } });
  const err = (save.error ?? run.error) instanceof ApiError ? ((save.error ?? run.error) as ApiError) : null;
  const result: QueryResult | undefined = run.data;
  const sortOptions = [...(group1 ? [group1] : []), ...(group1 && group2 ? [group2] : [])];

  return (
    <>
      <PageTitle parents={parents}>{id ? `Modifier « ${existing.data?.title ?? ''} »` : 'Nouvelle question'}</PageTitle>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ title, visualization, ...body() }, { onSuccess: (q) => navigate(`/exploration/questions/${q.id}`) });
        }}
      >
        <FormErrors error={save.error ?? run.error} />
        {hasRole('admin', 'data_admin') && (
          <Select label="Mode" nativeSelectProps={{ value: mode, onChange: (e) => setMode(e.target.value as 'builder' | 'sql') }}>
            <option value="builder">Assistant (sans SQL)</option>
            <option value="sql">SQL (équipe des données)</option>
          </Select>
        )}
        <Select
          label="Ressource"
          hint="Les ressources publiées que vous pouvez lire, converties pour l’exploration."
          state={err?.fieldMessage('resourceId') ? 'error' : undefined}
          stateRelatedMessage={err?.fieldMessage('resourceId')}
          nativeSelectProps={{
            value: resourceId,
            required: true,
            onChange: (e) => {
              setResourceId(e.target.value);
              setFilters([]);
              setGroup1('');
              setGroup2('');
              setMeasureColumn('');
              setSort('');
            },
          }}
        >
          <option value="">Choisir une ressource</option>
          {ready.map((r) => (
            <option key={r.resourceId} value={r.resourceId}>
              {r.datasetTitle} — {r.resourceTitle}
            </option>
          ))}
        </Select>
        {mode === 'sql' ? (
          <>
            <Input label="Nom de la ressource dans la requête" nativeInputProps={{ value: alias, onChange: (e) => setAlias(e.target.value) }} />
            <Input
              label="Requête SQL (une seule instruction SELECT)"
              textArea
              state={err?.fieldMessage('sql') ? 'error' : undefined}
              stateRelatedMessage={err?.fieldMessage('sql')}
              nativeTextAreaProps={{ value: sql, rows: 6, onChange: (e) => setSql(e.target.value), spellCheck: false }}
            />
          </>
        ) : (
          resource && (
            <>
              <fieldset className="fr-fieldset">
                <legend className="fr-fieldset__legend">Filtres</legend>
                {filters.map((f, i) => (
                  <div key={i} className="fr-grid-row fr-grid-row--gutters fr-col-12">
                    <div className="fr-col-12 fr-col-md-4">
                      <Select
                        label={`Colonne du filtre ${i + 1}`}
                        nativeSelectProps={{
                          value: f.column,
                          onChange: (e) => setFilters(filters.map((x, j) => (j === i ? { ...x, column: e.target.value } : x))),
                        }}
                      >
                        <option value="">—</option>
                        {columns.map((c) => (
                          <option key={c.name} value={c.name}>
                            {c.name}
                          </option>
                        ))}
                      </Select>
                    </div>
                    <div className="fr-col-12 fr-col-md-3">
                      <Select
                        label={`Opérateur du filtre ${i + 1}`}
                        nativeSelectProps={{
                          value: f.op,
                          onChange: (e) => setFilters(filters.map((x, j) => (j === i ? { ...x, op: e.target.value as FilterOp } : x))),
                        }}
                      >
                        {filterOps.map((o) => (
                          <option key={o} value={o}>
                            {filterOpLabels[o]}
                          </option>
                        ))}
                      </Select>
                    </div>
                    <div className="fr-col-12 fr-col-md-3">
                      {!unaryOps.includes(f.op) && (
                        <Input
                          label={`Valeur du filtre ${i + 1}`}
                          hintText={f.op === 'in' || f.op === 'notin' ? 'Séparées par des virgules' : undefined}
                          state={err?.fieldMessage(`builder.filters.${i}.value`) ? 'error' : undefined}
                          stateRelatedMessage={err?.fieldMessage(`builder.filters.${i}.value`)}
                          nativeInputProps={{
                            value: f.value,
                            onChange: (e) => setFilters(filters.map((x, j) => (j === i ? { ...x, value: e.target.value } : x))),
                          }}
                        />
                      )}
                    </div>
                    <div className="fr-col-12 fr-col-md-2">
                      <Button type="button" priority="tertiary" size="small" onClick={() => setFilters(filters.filter((_, j) => j !== i))}>
                        Retirer le filtre {i + 1}
                      </Button>
                    </div>
                  </div>
                ))}
                <Button type="button" priority="secondary" size="small" onClick={() => setFilters([...filters, { column: '', op: 'exact', value: '' }])}>
                  Ajouter un filtre
                </Button>
              </fieldset>
              <div className="fr-grid-row fr-grid-row--gutters">
                <div className="fr-col-12 fr-col-md-4">
                  <Select label="Regrouper par" nativeSelectProps={{ value: group1, onChange: (e) => setGroup1(e.target.value) }}>
                    <option value="">Pas de regroupement</option>
                    {columns.map((c) => (
                      <option key={c.name} value={c.name}>
                        {c.name}
                      </option>
                    ))}
                  </Select>
                </div>
                <div className="fr-col-12 fr-col-md-4">
                  <Select
                    label="Période"
                    hint="Pour une colonne de dates ou de mois"
                    nativeSelectProps={{ value: grain, onChange: (e) => setGrain(e.target.value), disabled: !group1 }}
                  >
                    <option value="">Valeur telle quelle</option>
                    <option value="month">Par mois</option>
                    <option value="year">Par année</option>
                  </Select>
                </div>
                <div className="fr-col-12 fr-col-md-4">
                  <Select label="Puis par" nativeSelectProps={{ value: group2, onChange: (e) => setGroup2(e.target.value), disabled: !group1 }}>
                    <option value="">—</option>
                    {columns
                      .filter((c) => c.name !== group1)
                      .map((c) => (
                        <option key={c.name} value={c.name}>
                          {c.name}
                        </option>
                      ))}
                  </Select>
                </div>
              </div>
              <div className="fr-grid-row fr-grid-row--gutters">
                <div className="fr-col-12 fr-col-md-4">
                  <Select label="Mesure" nativeSelectProps={{ value: fn, onChange: (e) => setFn(e.target.value as MeasureFn) }}>
                    {measureFns.map((m) => (
                      <option key={m} value={m}>
                        {measureFnLabels[m]}
                      </option>
                    ))}
                  </Select>
                </div>
                <div className="fr-col-12 fr-col-md-4">
                  <Select
                    label="Colonne mesurée"
                    state={err?.fieldMessage('builder.measures.0.column') ? 'error' : undefined}
                    stateRelatedMessage={err?.fieldMessage('builder.measures.0.column')}
                    nativeSelectProps={{ value: measureColumn, onChange: (e) => setMeasureColumn(e.target.value), disabled: fn === 'count' }}
                  >
                    <option value="">—</option>
                    {(fn === 'count_distinct' || fn === 'min' || fn === 'max' ? columns : numeric).map((c) => (
                      <option key={c.name} value={c.name}>
                        {c.name}
                      </option>
                    ))}
                  </Select>
                </div>
                <div className="fr-col-12 fr-col-md-2">
                  <Select label="Tri" nativeSelectProps={{ value: sort, onChange: (e) => setSort(e.target.value) }}>
                    <option value="">Par regroupement</option>
                    <option value="m0:desc">Mesure décroissante</option>
                    <option value="m0:asc">Mesure croissante</option>
                    {sortOptions.map((s) => (
                      <option key={s} value={`${s}:desc`}>
                        {s} décroissant
                      </option>
                    ))}
                  </Select>
                </div>
                <div className="fr-col-12 fr-col-md-2">
                  <Input
                    label="Lignes au plus"
                    nativeInputProps={{ type: 'number', min: 1, max: 10000, value: limit, onChange: (e) => setLimit(Number(e.target.value) || 1000) }}
                  />
                </div>
              </div>
            </>
          )
        )}
        <Button type="button" priority="secondary" disabled={!resourceId || run.isPending} onClick={() => run.mutate(body())}>
          Voir le résultat
        </Button>
        {result && (
          <section className="fr-mt-3w" aria-label="Aperçu du résultat">
            <ResultChart title={title || 'Aperçu'} result={result} visualization={visualization} />
          </section>
        )}
        <div className="fr-grid-row fr-grid-row--gutters fr-mt-2w">
          <div className="fr-col-12 fr-col-md-8">
            <Input
              label="Titre de la question"
              state={err?.fieldMessage('title') ? 'error' : undefined}
              stateRelatedMessage={err?.fieldMessage('title')}
              nativeInputProps={{ value: title, required: true, onChange: (e) => setTitle(e.target.value) }}
            />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <Select label="Affichage" nativeSelectProps={{ value: visualization, onChange: (e) => setVisualization(e.target.value as Visualization) }}>
              {visualizations.map((v) => (
                <option key={v} value={v}>
                  {visualizationLabels[v]}
                </option>
              ))}
            </Select>
          </div>
        </div>
        <Button type="submit" disabled={save.isPending || !title.trim() || !resourceId}>
          Enregistrer la question
        </Button>
      </form>
    </>
  );
}

/** One question: its chart, its data table, the CSV. */
export function QuestionPage() {
  const { id = '' } = useParams();
  const q = useQuestion(id);
  const r = useResult(q.data ? exploreUrls.questionResult(id) : null);
  if (q.error) return <PageError error={q.error} />;
  if (!q.data) return <p>Chargement…</p>;
  return (
    <>
      <PageTitle parents={parents}>{q.data.title}</PageTitle>
      {q.data.description && <p>{q.data.description}</p>}
      <p>
        {visualizationLabels[q.data.visualization]} · {q.data.mode === 'sql' ? 'SQL' : 'Assistant'} · par {q.data.createdBy} —{' '}
        <a href={exploreUrls.questionResult(id, 'csv')} download>
          Télécharger le résultat (CSV)
        </a>
        {q.data.canEdit && (
          <>
            {' '}
            · <Link to={`/exploration/questions/${id}/modifier`}>Modifier</Link>
          </>
        )}
      </p>
      {r.error && <ErrorAlert error={r.error} />}
      {r.data && (
        <>
          <ResultChart title={q.data.title} result={r.data} visualization={q.data.visualization} />
          {q.data.visualization !== 'table' && (
            <>
              <h2 className="fr-h4 fr-mt-3w">Tableau du résultat</h2>
              <ResultTable result={r.data} caption={`Résultat de « ${q.data.title} »`} />
            </>
          )}
        </>
      )}
    </>
  );
}
