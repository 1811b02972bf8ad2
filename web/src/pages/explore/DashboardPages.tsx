import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import {
  dashboardVisibilityLabels,
  dashboardVisibilities,
  type DashboardCard,
  type DashboardFilter,
  type DashboardVisibility,
} from '@patrimoine/contracts/explore';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormErrors } from '../../components/FormErrors';
import { PageError, PageTitle } from '../../components/Page';
import { plural } from '../../components/plural';
import {
  exploreUrls,
  useDashboard,
  useDashboards,
  useEmbedToken,
  useEmbeddedDashboard,
  useQuestions,
  useResult,
  useSaveDashboard,
  type Dashboard,
} from './api';
import { ResultChart } from './charts';
import { exportCards } from './export';

const parents = [{ label: 'Tableaux de bord', to: '/exploration/tableaux' }];
/** Printing a dashboard: its cards without the site's frame, the buttons and the folded data tables. */
const PRINT_CSS =
  '@media print { .explore-no-print, header.fr-header, footer.fr-footer, .fr-breadcrumb, .fr-skiplinks { display: none !important; } details.explore-data { display: none; } section { break-inside: avoid; } }';

export function DashboardsPage() {
  const q = useDashboards();
  const { me } = useAuth();
  return (
    <>
      <PageTitle>Tableaux de bord</PageTitle>
      {me?.user && (
        <p>
          <Link className="fr-btn fr-btn--icon-left fr-icon-add-line" to="/exploration/tableaux/nouveau">
            Nouveau tableau de bord
          </Link>{' '}
          <Link className="fr-btn fr-btn--secondary" to="/exploration/questions">
            Questions
          </Link>
        </p>
      )}
      {q.error && <ErrorAlert error={q.error} />}
      {q.data && (
        <ul>
          {q.data.items.map((d) => (
            <li key={d.id}>
              <Link to={`/exploration/tableaux/${d.id}`}>{d.title}</Link>{' '}
              <Badge as="span" small severity={d.visibility === 'public' ? 'success' : 'info'}>
                {d.visibility === 'public' ? 'Public' : 'Restreint'}
              </Badge>
            </li>
          ))}
          {!q.data.items.length && <li>Aucun tableau de bord.</li>}
        </ul>
      )}
    </>
  );
}

/** One card: its question's result with the shared filters, drawn as its visualisation. */
function Card({ d, index, filters, token }: { d: Dashboard; index: number; filters: Record<string, string>; token?: string }) {
  const card = d.cards[index]!;
  const question = card.kind === 'question' ? d.questions.find((q) => q.id === card.questionId) : undefined;
  const url = card.kind === 'question' && question ? (token ? exploreUrls.embeddedCard(token, index, filters) : exploreUrls.card(d.id, index, filters)) : null;
  const r = useResult(url);
  const width = `fr-col-12 fr-col-md-${Math.min(12, Math.max(3, card.width))}`;
  if (card.kind === 'text')
    return (
      <div className={width} data-export-card>
        <div className="fr-callout fr-mb-0">
          <p className="fr-callout__text">{card.text}</p>
        </div>
      </div>
    );
  return (
    <div className={width} data-export-card>
      <section className="fr-p-2w" style={{ border: '1px solid var(--border-default-grey)', height: '100%' }} aria-labelledby={`carte-${index}`}>
        <h2 className="fr-h6" id={`carte-${index}`}>
          {question?.title ?? 'Question indisponible'}
        </h2>
        {!question && <p>Vous n’avez pas accès aux données de cette carte.</p>}
        {r.error && <ErrorAlert error={r.error} />}
        {r.data && question && (
          <>
            <ResultChart title={question.title} result={r.data} visualization={question.visualization} />
            <p className="fr-text--sm fr-mb-0 explore-no-print">
              <ExportButton title={question.title} target={(b) => [b.closest<HTMLElement>('[data-export-card]')!]} format="png" label="Image PNG de la carte" />{' '}
              <a href={token ? exploreUrls.embeddedCard(token, index, filters, 'csv') : exploreUrls.card(d.id, index, filters, 'csv')} download>
                Télécharger les données de la carte (CSV)
              </a>
            </p>
          </>
        )}
      </section>
    </div>
  );
}

/** The shared filters (in the URL) and the grid of cards. */
function Grid({ d, token }: { d: Dashboard; token?: string }) {
  const [params, setParams] = useSearchParams();
  const filters: Record<string, string> = {};
  for (const f of d.filters) {
    const v = params.get(`f.${f.column}`);
    if (v) filters[f.column] = v;
  }
  const [draft, setDraft] = useState<Record<string, string>>(filters);
  return (
    <>
      {d.filters.length > 0 && (
        <form
          className="fr-grid-row fr-grid-row--gutters fr-mb-2w explore-no-print"
          aria-label="Filtres du tableau de bord"
          onSubmit={(e) => {
            e.preventDefault();
            const next = new URLSearchParams(params);
            for (const f of d.filters) {
              const v = draft[f.column]?.trim();
              if (v) next.set(`f.${f.column}`, v);
              else next.delete(`f.${f.column}`);
            }
            setParams(next);
          }}
        >
          {d.filters.map((f) => (
            <div key={f.column} className="fr-col-12 fr-col-md-3">
              <Input label={f.label} nativeInputProps={{ value: draft[f.column] ?? '', onChange: (e) => setDraft({ ...draft, [f.column]: e.target.value }) }} />
            </div>
          ))}
          <div className="fr-col-12 fr-col-md-3" style={{ alignSelf: 'flex-end' }}>
            <Button type="submit">Appliquer les filtres</Button>
          </div>
        </form>
      )}
      {Object.keys(filters).length > 0 && (
        <p className="fr-text--sm">
          Filtres appliqués :{' '}
          {Object.entries(filters)
            .map(([k, v]) => `${d.filters.find((f) => f.column === k)?.label ?? k} = ${v}`)
            .join(' ; ')}
        </p>
      )}
      <div className="fr-grid-row fr-grid-row--gutters">
        {d.cards.map((_, i) => (
          <Card key={i} d={d} index={i} filters={filters} token={token} />
        ))}
      </div>
    </>
  );
}

function EmbedPanel({ d }: { d: Dashboard }) {
  const m = useEmbedToken(d.id);
  const [ttl, setTtl] = useState(24 * 30);
  const url = m.data ? `${window.location.origin}${m.data.path}` : '';
  return (
    <details className="fr-mt-3w explore-no-print">
      <summary>Intégrer ce tableau de bord dans un autre site</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate(ttl);
        }}
      >
        <FormErrors error={m.error} />
        <Input
          label="Durée de validité du lien (heures)"
          nativeInputProps={{ type: 'number', min: 1, max: 2160, value: ttl, onChange: (e) => setTtl(Number(e.target.value) || 1) }}
        />
        <Button type="submit" disabled={m.isPending}>
          Créer un lien d’intégration
        </Button>
      </form>
      {m.data && (
        <>
          <p>
            Lien valable jusqu’au {new Date(m.data.expiresAt).toLocaleString('fr-FR')} : <a href={m.data.path}>{url}</a>
          </p>
          <Input
            label="Code à coller dans la page"
            textArea
            nativeTextAreaProps={{
              readOnly: true,
              rows: 3,
              value: `<iframe src="${url}" title="${d.title.replace(/"/g, '&quot;')}" width="100%" height="900" style="border:0"></iframe>`,
            }}
          />
        </>
      )}
    </details>
  );
}

/** A button exporting cards (found from the button) as a PNG or PDF file, in the browser. */
function ExportButton({
  title,
  target,
  format,
  label,
}: {
  title: string;
  target: (button: HTMLElement) => HTMLElement[];
  format: 'png' | 'pdf';
  label: string;
}) {
  const [state, setState] = useState<'idle' | 'busy' | 'failed'>('idle');
  return (
    <>
      <Button
        type="button"
        priority="tertiary"
        size="small"
        iconId={format === 'pdf' ? 'fr-icon-file-pdf-line' : 'fr-icon-image-line'}
        disabled={state === 'busy'}
        onClick={(e) => {
          const cards = target(e.currentTarget);
          setState('busy');
          exportCards(title, cards, format).then(
            () => setState('idle'),
            (err: unknown) => {
              console.error('explore export', err);
              setState('failed');
            },
          );
        }}
      >
        {state === 'busy' ? 'Export en cours…' : label}
      </Button>
      {state === 'failed' && (
        <span role="alert" className="fr-text--sm fr-ml-1w">
          L’export a échoué.
        </span>
      )}
    </>
  );
}

const dashboardCards = () => [...document.querySelectorAll<HTMLElement>('[data-export-card]')];

export function DashboardPage() {
  const { id = '' } = useParams();
  const q = useDashboard(id);
  if (q.error) return <PageError error={q.error} />;
  if (!q.data) return <p>Chargement…</p>;
  const d = q.data;
  return (
    <>
      <PageTitle parents={parents}>{d.title}</PageTitle>
      {d.description && <p>{d.description}</p>}
      <p className="explore-no-print">
        <Badge as="span" small severity={d.visibility === 'public' ? 'success' : 'info'}>
          {dashboardVisibilityLabels[d.visibility]}
        </Badge>{' '}
        <Button type="button" priority="tertiary" size="small" iconId="fr-icon-printer-line" onClick={() => window.print()}>
          Imprimer
        </Button>
        <ExportButton title={d.title} target={dashboardCards} format="png" label="Exporter en PNG" />
        <ExportButton title={d.title} target={dashboardCards} format="pdf" label="Exporter en PDF" />
        {d.canEdit && (
          <Link className="fr-btn fr-btn--tertiary fr-btn--sm" to={`/exploration/tableaux/${d.id}/modifier`}>
            Modifier
          </Link>
        )}
      </p>
      <style>{PRINT_CSS}</style>
      <Grid d={d} />
      {d.canEdit && d.visibility === 'public' && <EmbedPanel d={d} />}
    </>
  );
}

/** The dashboard of an embed link, without the site's header (inside an `<iframe>`). */
export function EmbedPage() {
  const { token = '' } = useParams();
  const q = useEmbeddedDashboard(token);
  if (q.error) return <PageError error={q.error} title="Tableau de bord indisponible" />;
  if (!q.data) return <p>Chargement…</p>;
  return (
    <>
      <PageTitle>{q.data.title}</PageTitle>
      {q.data.description && <p>{q.data.description}</p>}
      <style>{PRINT_CSS}</style>
      <Grid d={q.data} token={token} />
      <p className="fr-text--xs fr-mt-2w">Tableau de bord publié avec Patrimoine, sur des données ouvertes.</p>
    </>
  );
}

type CardDraft = DashboardCard;

export function DashboardEditPage() {
  const { id = null } = useParams();
  const existing = useDashboard(id);
  const questions = useQuestions();
  const save = useSaveDashboard(id);
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<DashboardVisibility>('restricted');
  const [cards, setCards] = useState<CardDraft[]>([]);
  const [filters, setFilters] = useState<DashboardFilter[]>([]);
  const [pick, setPick] = useState('');
  const [text, setText] = useState('');
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    const d = existing.data;
    if (!d || loaded) return;
    setLoaded(true);
    setTitle(d.title);
    setDescription(d.description);
    setVisibility(d.visibility);
    setCards(d.cards);
    setFilters(d.filters);
  }, [existing.data, loaded]);
  if (id && existing.error) return <PageError error={existing.error} />;
  const err = save.error instanceof ApiError ? save.error : null;
  const qTitle = (qid: string) => questions.data?.items.find((q) => q.id === qid)?.title ?? qid;
  return (
    <>
      <PageTitle parents={parents}>{id ? `Modifier « ${existing.data?.title ?? ''} »` : 'Nouveau tableau de bord'}</PageTitle>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ title, description, visibility, cards, filters }, { onSuccess: (d) => navigate(`/exploration/tableaux/${d.id}`) });
        }}
      >
        <FormErrors error={save.error} />
        <Input
          label="Titre du tableau de bord"
          state={err?.fieldMessage('title') ? 'error' : undefined}
          stateRelatedMessage={err?.fieldMessage('title')}
          nativeInputProps={{ value: title, required: true, onChange: (e) => setTitle(e.target.value) }}
        />
        <Input label="Présentation" textArea nativeTextAreaProps={{ value: description, onChange: (e) => setDescription(e.target.value) }} />
        <Select
          label="Visibilité"
          state={err?.fieldMessage('visibility') ? 'error' : undefined}
          stateRelatedMessage={err?.fieldMessage('visibility')}
          nativeSelectProps={{ value: visibility, onChange: (e) => setVisibility(e.target.value as DashboardVisibility) }}
        >
          {dashboardVisibilities.map((v) => (
            <option key={v} value={v}>
              {dashboardVisibilityLabels[v]}
            </option>
          ))}
        </Select>
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">Cartes ({plural(cards.length, 'carte')})</legend>
          <ol className="fr-col-12">
            {cards.map((c, i) => (
              <li key={i}>
                {c.kind === 'question' ? `Question « ${qTitle(c.questionId)} »` : `Texte « ${c.text.slice(0, 60)} »`} — largeur {c.width}/12{' '}
                <Button
                  type="button"
                  priority="tertiary"
                  size="small"
                  onClick={() => setCards(cards.map((x, j) => (j === i ? { ...x, width: x.width === 12 ? 6 : 12 } : x)))}
                >
                  {c.width === 12 ? 'Demi-largeur' : 'Pleine largeur'}
                </Button>{' '}
                <Button type="button" priority="tertiary" size="small" onClick={() => setCards(cards.filter((_, j) => j !== i))}>
                  Retirer la carte {i + 1}
                </Button>
              </li>
            ))}
          </ol>
          <div className="fr-grid-row fr-grid-row--gutters fr-col-12">
            <div className="fr-col-12 fr-col-md-8">
              <Select label="Question à ajouter" nativeSelectProps={{ value: pick, onChange: (e) => setPick(e.target.value) }}>
                <option value="">Choisir une question</option>
                {questions.data?.items.map((q) => (
                  <option key={q.id} value={q.id}>
                    {q.title}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-12 fr-col-md-4" style={{ alignSelf: 'flex-end' }}>
              <Button
                type="button"
                priority="secondary"
                disabled={!pick}
                onClick={() => {
                  setCards([...cards, { kind: 'question', questionId: pick, width: 6 }]);
                  setPick('');
                }}
              >
                Ajouter la question
              </Button>
            </div>
            <div className="fr-col-12 fr-col-md-8">
              <Input label="Texte à ajouter" nativeInputProps={{ value: text, onChange: (e) => setText(e.target.value) }} />
            </div>
            <div className="fr-col-12 fr-col-md-4" style={{ alignSelf: 'flex-end' }}>
              <Button
                type="button"
                priority="secondary"
                disabled={!text.trim()}
                onClick={() => {
                  setCards([...cards, { kind: 'text', text, width: 12 }]);
                  setText('');
                }}
              >
                Ajouter le texte
              </Button>
            </div>
          </div>
        </fieldset>
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">Filtres partagés (appliqués à chaque carte dont la ressource a la colonne)</legend>
          {filters.map((f, i) => (
            <div key={i} className="fr-grid-row fr-grid-row--gutters fr-col-12">
              <div className="fr-col-12 fr-col-md-5">
                <Input
                  label={`Colonne du filtre partagé ${i + 1}`}
                  state={err?.fieldMessage(`filters.${i}.column`) ? 'error' : undefined}
                  stateRelatedMessage={err?.fieldMessage(`filters.${i}.column`)}
                  nativeInputProps={{ value: f.column, onChange: (e) => setFilters(filters.map((x, j) => (j === i ? { ...x, column: e.target.value } : x))) }}
                />
              </div>
              <div className="fr-col-12 fr-col-md-5">
                <Input
                  label={`Libellé du filtre partagé ${i + 1}`}
                  nativeInputProps={{ value: f.label, onChange: (e) => setFilters(filters.map((x, j) => (j === i ? { ...x, label: e.target.value } : x))) }}
                />
              </div>
              <div className="fr-col-12 fr-col-md-2" style={{ alignSelf: 'flex-end' }}>
                <Button type="button" priority="tertiary" size="small" onClick={() => setFilters(filters.filter((_, j) => j !== i))}>
                  Retirer le filtre {i + 1}
                </Button>
              </div>
            </div>
          ))}
          <Button type="button" priority="secondary" size="small" onClick={() => setFilters([...filters, { column: '', label: '' }])}>
            Ajouter un filtre partagé
          </Button>
        </fieldset>
        <Button type="submit" disabled={save.isPending || !title.trim()}>
          Enregistrer le tableau de bord
        </Button>
      </form>
    </>
  );
}
