import { Fragment, useState, type FormEvent } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Tabs } from '@codegouvfr/react-dsfr/Tabs';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { api, ApiError, qs } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JsonDiff } from '../../components/JsonDiff';
import type { AssetDetail, Graph, ImpactItem, Meta } from './types';
import { GraphView } from './GraphView';
import { specFields } from './specFields';
import { assetPath, contactRoleLabels, kindLabels, label, lifecycleLabels, opennessLabels, relationLabels } from './labels';

function useAssetParams() {
  const { kind = '', slug = '' } = useParams();
  return { kind, slug, base: `/api/catalog/assets/${kind}/${slug}` };
}

/** One asset: its fields, completeness, relations, neighbourhood graph, impact list and history. */
export function AssetPage() {
  const { kind, slug, base } = useAssetParams();
  const location = useLocation();
  const r = useQuery({ queryKey: ['catalog-asset', kind, slug], queryFn: () => api<AssetDetail>(base) });
  if (r.error) return <ErrorAlert error={r.error} title="Actif introuvable" />;
  if (!r.data) return <p>Chargement…</p>;
  const { asset: a, completeness, canEdit } = r.data;
  const missing = completeness.checks.filter((c) => !c.ok);
  return (
    <>
      {(location.state as { saved?: boolean } | null)?.saved && (
        <Alert severity="success" small description="Modifications enregistrées." className="fr-mb-2w" closable />
      )}
      <div className="fr-mb-1w" style={{ display: 'flex', gap: '0.5rem', flexWrap: 'wrap' }}>
        <Badge noIcon>{label(kindLabels, a.kind)}</Badge>
        <Badge noIcon severity={a.openness === 'ouvert' ? 'success' : a.openness === 'non_ouvrable' ? 'error' : 'info'}>
          {label(opennessLabels, a.openness)}
        </Badge>
        <Badge noIcon className="fr-mr-1w">
          {label(lifecycleLabels, a.lifecycle)}
        </Badge>
        {a.personalData && (
          <Badge noIcon severity="warning" className="fr-mr-1w">
            Données personnelles
          </Badge>
        )}
        {a.isDemo && (
          <Badge noIcon severity="new">
            Contenu de démonstration
          </Badge>
        )}
      </div>
      <h1>{a.title}</h1>
      <p>
        <code>{a.ref}</code> · {a.owner ? `${a.owner} — ${a.ownerName}` : 'Sans organisation propriétaire'} · version {a.version}, modifiée le{' '}
        {new Date(a.updatedAt).toLocaleString('fr-FR')} par {a.updatedBy}
      </p>
      {canEdit && (
        <p>
          <Link className="fr-btn fr-btn--secondary fr-icon-edit-line fr-btn--icon-left" to={`${assetPath(a)}/modifier`}>
            Modifier
          </Link>
        </p>
      )}
      <section aria-labelledby="completeness-title" className="fr-mb-4w">
        <h2 id="completeness-title" className="fr-h4">
          Complétude : {completeness.score} %
        </h2>
        <div
          role="progressbar"
          aria-valuenow={completeness.score}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-label="Score de complétude"
          style={{ height: 10, background: 'var(--background-contrast-grey)', maxWidth: 400 }}
        >
          <div
            style={{
              width: `${completeness.score}%`,
              height: '100%',
              background: completeness.score >= 80 ? '#18753c' : completeness.score >= 50 ? '#b34000' : '#ce0500',
            }}
          />
        </div>
        {missing.length > 0 ? (
          <>
            <p className="fr-mt-2w fr-mb-1v">Ce qu’il manque :</p>
            <ul data-testid="missing-checks">
              {missing.map((c) => (
                <li key={c.id}>{c.label}</li>
              ))}
            </ul>
          </>
        ) : (
          <p className="fr-mt-2w">Tous les contrôles sont satisfaits.</p>
        )}
        <details>
          <summary>Tous les contrôles ({completeness.checks.length})</summary>
          <ul>
            {completeness.checks.map((c) => (
              <li key={c.id}>
                {c.ok ? '✔' : '✘'} {c.label}
              </li>
            ))}
          </ul>
        </details>
      </section>
      <Tabs
        tabs={[
          { label: 'Fiche', content: <Fields detail={r.data} /> },
          { label: `Relations (${r.data.relations.length})`, content: <Relations detail={r.data} /> },
          { label: 'Graphe', content: <GraphTab /> },
          { label: 'Impact', content: <ImpactTab /> },
          { label: 'Historique', content: <HistoryTab /> },
        ]}
      />
    </>
  );
}

function show(v: unknown): string {
  if (v === true) return 'Oui';
  if (v === false) return 'Non';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(', ');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v, null, 1);
  return String(v);
}

function Fields({ detail }: { detail: AssetDetail }) {
  const a = detail.asset;
  const known = specFields[a.kind] ?? [];
  const rows: [string, unknown][] = [
    ['Organisation', a.owner ? `${a.owner} — ${a.ownerName}` : '—'],
    ['Mots-clés', a.tags.join(', ') || '—'],
    ['Cycle de vie', label(lifecycleLabels, a.lifecycle)],
    ['Décommissionnement prévu', a.decommissionPlannedOn ?? '—'],
    ['Décommissionné le', a.decommissionedOn ?? '—'],
    ['Ouverture', label(opennessLabels, a.openness)],
    ['Motif de non-ouverture', a.opennessReason ?? '—'],
    ['Données personnelles', a.personalData],
    ...known.filter((f) => f.key in a.spec && f.type !== 'json').map((f) => [f.label, a.spec[f.key]] as [string, unknown]),
  ];
  const tables =
    a.kind === 'data_model'
      ? ((a.spec.tables as
          | { name: string; description?: string; columns: { name: string; type?: string; description?: string; personalData?: boolean; example?: string }[] }[]
          | undefined) ?? [])
      : [];
  const resources = a.kind === 'dataset' ? ((a.spec.resources as { title: string; url: string; format?: string; size?: number }[] | undefined) ?? []) : [];
  return (
    <>
      <h2 className="fr-h5">Description</h2>
      <p style={{ whiteSpace: 'pre-wrap' }}>{a.description || 'Aucune description.'}</p>
      <div className="fr-table fr-table--no-caption">
        <table>
          <caption>Champs de l’actif</caption>
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td style={{ whiteSpace: 'pre-wrap' }}>{show(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2 className="fr-h5">Contacts</h2>
      {a.contacts.length === 0 ? (
        <p>Aucun contact.</p>
      ) : (
        <ul>
          {a.contacts.map((c, i) => (
            <li key={i}>
              {label(contactRoleLabels, c.role)} : {c.name}
              {c.email ? ` <${c.email}>` : ''}
            </li>
          ))}
        </ul>
      )}
      {resources.length > 0 && (
        <div className="fr-table">
          <table>
            <caption>Ressources</caption>
            <thead>
              <tr>
                <th scope="col">Titre</th>
                <th scope="col">Format</th>
                <th scope="col">Taille</th>
              </tr>
            </thead>
            <tbody>
              {resources.map((x, i) => (
                <tr key={i}>
                  <td>
                    <a href={x.url} rel="noreferrer">
                      {x.title}
                    </a>
                  </td>
                  <td>{x.format ?? '—'}</td>
                  <td>{x.size ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {a.kind === 'repository' && (
        <p>
          <a
            className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left"
            href={`/api/catalog/assets/repository/${a.slug}/publiccode.yml`}
          >
            Télécharger le publiccode.yml
          </a>
        </p>
      )}
      {a.kind === 'data_model' && <DictionaryTools detail={detail} />}
      {tables.map((t) => (
        <div className="fr-table" key={t.name}>
          <table>
            <caption>
              Table {t.name}
              {t.description ? ` — ${t.description}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Colonne</th>
                <th scope="col">Type</th>
                <th scope="col">Description</th>
                <th scope="col">Donnée personnelle</th>
                <th scope="col">Exemple</th>
              </tr>
            </thead>
            <tbody>
              {t.columns.map((c) => (
                <tr key={c.name}>
                  <td>
                    <code>{c.name}</code>
                  </td>
                  <td>{c.type ?? '—'}</td>
                  <td>{c.description ?? '—'}</td>
                  <td>{c.personalData ? 'Oui' : 'Non'}</td>
                  <td>{c.example ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  );
}

function Relations({ detail }: { detail: AssetDetail }) {
  const qc = useQueryClient();
  const meta = useQuery({ queryKey: ['catalog-meta'], queryFn: () => api<Meta>('/api/catalog/meta'), staleTime: Infinity });
  const [error, setError] = useState<unknown>(null);
  const [form, setForm] = useState({ type: 'uses', direction: 'outgoing', other: '', note: '' });
  const candidates = useQuery({
    queryKey: ['catalog-search', 'relation', form.other],
    queryFn: () => api<{ items: { ref: string; title: string }[] }>(`/api/catalog/assets${qs({ q: form.other, pageSize: 8 })}`),
    enabled: form.other.length >= 2 && !form.other.includes(':'),
  });
  const a = detail.asset;
  const refresh = () => qc.invalidateQueries({ queryKey: ['catalog-asset'] });
  async function add(ev: FormEvent) {
    ev.preventDefault();
    setError(null);
    const [from, to] = form.direction === 'outgoing' ? [a.ref, form.other.trim()] : [form.other.trim(), a.ref];
    try {
      await api(`/api/catalog/relations`, { method: 'POST', body: { type: form.type, from, to, note: form.note || null } });
      setForm({ ...form, other: '', note: '' });
      await refresh();
    } catch (e) {
      setError(e);
    }
  }
  async function remove(id: string) {
    setError(null);
    try {
      await api(`/api/catalog/relations/${id}`, { method: 'DELETE' });
      await refresh();
    } catch (e) {
      setError(e);
    }
  }
  const apiErr = error instanceof ApiError ? error : null;
  const fieldMsg = (f: string) => apiErr?.errors.find((e) => e.field === f || e.field === `body.${f}`)?.message;
  const otherField = form.direction === 'outgoing' ? 'to' : 'from';
  return (
    <>
      {detail.relations.length === 0 ? (
        <p>Aucune relation.</p>
      ) : (
        <div className="fr-table">
          <table>
            <caption>Relations de {a.title}</caption>
            <thead>
              <tr>
                <th scope="col">Relation</th>
                <th scope="col">Actif</th>
                <th scope="col">Note</th>
                <th scope="col">Créée par</th>
                {detail.canEdit && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {detail.relations.map((r) => (
                <tr key={r.id}>
                  <td>{r.label}</td>
                  <td>{r.other ? <Link to={assetPath(r.other)}>{r.other.title}</Link> : '—'}</td>
                  <td>{r.note ?? ''}</td>
                  <td>
                    {r.createdBy}, {new Date(r.createdAt).toLocaleDateString('fr-FR')}
                  </td>
                  {detail.canEdit && (
                    <td>
                      <Button
                        size="small"
                        priority="tertiary"
                        onClick={() => remove(r.id)}
                        nativeButtonProps={{ 'aria-label': `Supprimer la relation ${r.label} ${r.other?.title ?? ''}` }}
                      >
                        Supprimer
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {detail.canEdit && meta.data && (
        <form onSubmit={add} aria-label="Ajouter une relation" className="fr-mt-3w">
          <h3 className="fr-h6">Ajouter une relation</h3>
          <ErrorAlert error={apiErr && apiErr.errors.length ? null : error} />
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-3">
              <Select label="Sens" nativeSelectProps={{ value: form.direction, onChange: (e) => setForm({ ...form, direction: e.target.value }) }}>
                <option value="outgoing">Cet actif → l’autre</option>
                <option value="incoming">L’autre → cet actif</option>
              </Select>
            </div>
            <div className="fr-col-12 fr-col-md-3">
              <Select
                label="Type de relation"
                state={fieldMsg('type') ? 'error' : undefined}
                stateRelatedMessage={fieldMsg('type')}
                nativeSelectProps={{ value: form.type, onChange: (e) => setForm({ ...form, type: e.target.value }) }}
              >
                {Object.entries(meta.data.relations).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label} ({v.from.map((x) => label(kindLabels, x)).join(', ')} → {v.to.map((x) => label(kindLabels, x)).join(', ')})
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-12 fr-col-md-3">
              <Input
                label="Autre actif (type:identifiant)"
                hintText="Tapez un nom puis choisissez"
                state={fieldMsg(otherField) ? 'error' : undefined}
                stateRelatedMessage={fieldMsg(otherField)}
                nativeInputProps={{ value: form.other, list: 'catalog-relation-candidates', onChange: (e) => setForm({ ...form, other: e.target.value }) }}
              />
              <datalist id="catalog-relation-candidates">
                {candidates.data?.items
                  .filter((c) => c.ref !== a.ref)
                  .map((c) => (
                    <option key={c.ref} value={c.ref}>
                      {c.title}
                    </option>
                  ))}
              </datalist>
            </div>
            <div className="fr-col-12 fr-col-md-3">
              <Input label="Note (facultatif)" nativeInputProps={{ value: form.note, onChange: (e) => setForm({ ...form, note: e.target.value }) }} />
            </div>
          </div>
          <Button type="submit" className="fr-mt-2w">
            Ajouter la relation
          </Button>
        </form>
      )}
    </>
  );
}

function GraphTab() {
  const { base } = useAssetParams();
  const [depth, setDepth] = useState(2);
  const [types, setTypes] = useState<string[]>([]);
  const g = useQuery({
    queryKey: ['catalog-graph', base, depth, types.join(',')],
    queryFn: () => api<Graph>(`${base}/graph${qs({ depth, types: types.join(',') })}`),
  });
  return (
    <>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-3">
          <Select label="Profondeur" nativeSelectProps={{ value: String(depth), onChange: (e) => setDepth(Number(e.target.value)) }}>
            <option value="1">1 relation</option>
            <option value="2">2 relations</option>
            <option value="3">3 relations</option>
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-9">
          <Checkbox
            legend="Types de relation (aucun coché : tous)"
            orientation="horizontal"
            small
            options={Object.entries(relationLabels).map(([k, l]) => ({
              label: l,
              nativeInputProps: { checked: types.includes(k), onChange: () => setTypes(types.includes(k) ? types.filter((x) => x !== k) : [...types, k]) },
            }))}
          />
        </div>
      </div>
      <ErrorAlert error={g.error} />
      {g.data && (g.data.nodes.length <= 1 ? <p>Aucune relation à afficher.</p> : <GraphView graph={g.data} />)}
    </>
  );
}

function ImpactTab() {
  const { base } = useAssetParams();
  const r = useQuery({ queryKey: ['catalog-impact', base], queryFn: () => api<{ items: ImpactItem[] }>(`${base}/impact`) });
  return (
    <>
      <p>
        Les actifs en aval, touchés par une modification ou un décommissionnement de celui-ci (dépendances, usages, productions), du plus proche au plus
        lointain.
      </p>
      <p>
        <a className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left" href={`${base}/impact?format=csv`}>
          Exporter en CSV
        </a>
      </p>
      <ErrorAlert error={r.error} />
      {r.data && r.data.items.length === 0 && <p>Aucun actif en aval.</p>}
      {r.data && r.data.items.length > 0 && (
        <div className="fr-table">
          <table>
            <caption>Liste d’impact ({r.data.items.length})</caption>
            <thead>
              <tr>
                <th scope="col">Niveau</th>
                <th scope="col">Actif</th>
                <th scope="col">Type</th>
                <th scope="col">Organisation</th>
                <th scope="col">Relation</th>
                <th scope="col">Par</th>
              </tr>
            </thead>
            <tbody>
              {r.data.items.map((i) => (
                <tr key={i.ref}>
                  <td>{i.depth}</td>
                  <td>
                    <Link to={assetPath(i)}>{i.title}</Link>
                  </td>
                  <td>{label(kindLabels, i.kind)}</td>
                  <td>{i.owner ?? '—'}</td>
                  <td>{label(relationLabels, i.relation)}</td>
                  <td>
                    <code>{i.through}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function HistoryTab() {
  const { base } = useAssetParams();
  const [open, setOpen] = useState<number | null>(null);
  const r = useQuery({
    queryKey: ['catalog-asset', 'history', base],
    queryFn: () => api<{ items: { version: number; action: string; actor: string; at: string; snapshot: Record<string, unknown> }[] }>(`${base}/history`),
  });
  const actions: Record<string, string> = { create: 'Création', update: 'Modification', delete: 'Suppression' };
  return (
    <>
      <ErrorAlert error={r.error} />
      {r.data && (
        <div className="fr-table">
          <table>
            <caption>Historique des versions</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Date</th>
                <th scope="col">Par</th>
                <th scope="col">Action</th>
                <th scope="col">Changements</th>
              </tr>
            </thead>
            <tbody>
              {r.data.items.map((v, i) => {
                const prev = r.data.items[i + 1];
                return (
                  <Fragment key={v.version}>
                    <tr>
                      <td>{v.version}</td>
                      <td>{new Date(v.at).toLocaleString('fr-FR')}</td>
                      <td>{v.actor}</td>
                      <td>{actions[v.action] ?? v.action}</td>
                      <td>
                        <Button
                          size="small"
                          priority="tertiary"
                          aria-expanded={open === v.version}
                          onClick={() => setOpen(open === v.version ? null : v.version)}
                        >
                          {open === v.version ? 'Masquer' : `Voir les changements (v${v.version})`}
                        </Button>
                      </td>
                    </tr>
                    {open === v.version && (
                      <tr>
                        <td colSpan={5}>
                          <JsonDiff before={prev?.snapshot ?? {}} after={v.snapshot} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function DictionaryTools({ detail }: { detail: AssetDetail }) {
  const a = detail.asset;
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const apiErr = error instanceof ApiError ? error : null;
  return (
    <div className="fr-mb-3w">
      <p>
        <a
          className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left"
          href={`/api/catalog/assets/data_model/${a.slug}/dictionary.csv`}
        >
          Exporter le dictionnaire des données (CSV)
        </a>
      </p>
      {detail.canEdit && (
        <div className="fr-upload-group">
          <label className="fr-label" htmlFor="dictionary-upload">
            Remplacer les tables par un dictionnaire (CSV ou SQL)
            <span className="fr-hint-text">CSV : table;colonne;type;description;donnee_personnelle;exemple — ou un fichier SQL (CREATE TABLE, COMMENT ON)</span>
          </label>
          <input
            className="fr-upload"
            type="file"
            id="dictionary-upload"
            accept=".csv,.sql,text/csv"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              setError(null);
              setDone(null);
              if (!f) return;
              try {
                const r = await api<{ diff: string }>(`/api/catalog/assets/data_model/${a.slug}/dictionary`, {
                  method: 'PUT',
                  body: { content: await f.text() },
                });
                setDone(r.diff);
                await qc.invalidateQueries({ queryKey: ['catalog-asset'] });
              } catch (err) {
                setError(err);
              }
            }}
          />
        </div>
      )}
      <ErrorAlert error={error} title="Dictionnaire refusé" />
      {apiErr && apiErr.errors.length > 0 && (
        <ul>
          {apiErr.errors.map((x, i) => (
            <li key={i}>
              {x.field} — {x.message}
            </li>
          ))}
        </ul>
      )}
      {done && <Alert severity="success" small description="Dictionnaire importé." className="fr-mt-2w" />}
    </div>
  );
}
