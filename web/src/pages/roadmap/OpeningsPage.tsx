import { bringIntoView, FormErrors, focusFirstControl } from '../../components/FormErrors';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import {
  openingStatusLabels,
  openingStatuses,
  openingTypeLabels,
  openingTypes,
  timelinessLabels,
  timelinessValues,
  type OpeningStatus,
} from '@patrimoine/contracts/roadmap';
import { ApiError } from '../../api/client';
import { useOrganisations } from '../../api/organisations';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { useAuth } from '../../auth';
import { AssetPicker, CsvLink, RoadmapFrame, useRoadmap } from './common';
import { frDay, timelinessSeverity as severity } from './format';
import { roadmapUrls, useRoadmapOpenings, useUpdateRoadmapOpening, type Opening, type OpeningPatchBody } from './api';
import { theme } from '../../components/theme';

const KEYS = ['statut', 'type', 'delai'] as const;

/** The follow-up table of announced openings, with their timeliness, and their update form. */
export function OpeningsPage() {
  const { slug } = useRoadmap();
  const [f, set] = useUrlState(KEYS);
  const [editing, setEditing] = useState<string | null>(null);
  const filters = { status: f.statut, type: f.type, timeliness: f.delai };
  const r = useRoadmapOpenings(slug, filters);
  const selected = r.data?.items.find((o) => o.id === editing) ?? null;
  return (
    <RoadmapFrame title="Suivi des ouvertures annoncées">
      <form className="fr-grid-row fr-grid-row--gutters" aria-label="Filtrer les ouvertures" onSubmit={(e) => e.preventDefault()}>
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Statut" nativeSelectProps={{ value: f.statut, onChange: (e) => set({ statut: e.target.value }) }}>
            <option value="">Tous</option>
            {openingStatuses.map((s) => (
              <option key={s} value={s}>
                {openingStatusLabels[s]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Type" nativeSelectProps={{ value: f.type, onChange: (e) => set({ type: e.target.value }) }}>
            <option value="">Tous</option>
            {openingTypes.map((k) => (
              <option key={k} value={k}>
                {openingTypeLabels[k]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Délai" nativeSelectProps={{ value: f.delai, onChange: (e) => set({ delai: e.target.value }) }}>
            <option value="">Tous</option>
            {timelinessValues.map((k) => (
              <option key={k} value={k}>
                {timelinessLabels[k]}
              </option>
            ))}
          </Select>
        </div>
      </form>
      <ErrorAlert error={r.error} />
      {r.data && (
        <>
          <div className="fr-grid-row fr-grid-row--middle fr-mt-2w fr-mb-2w" style={{ gap: '1rem' }}>
            <p className="fr-mb-0" role="status">
              <strong>{r.data.total}</strong> ouverture(s), dont <strong>{r.data.items.filter((o) => o.status === 'disponible').length}</strong> disponible(s).
            </p>
            <CsvLink href={roadmapUrls.openings(slug, { ...filters, format: 'csv' })} />
          </div>
          {selected && (
            <OpeningForm
              key={selected.id}
              opening={selected}
              slug={slug}
              onClose={() => {
                // Back to the row the person came from.
                const id = selected.id;
                setEditing(null);
                requestAnimationFrame(() => bringIntoView(document.querySelector<HTMLElement>(`[data-opening-edit="${id}"]`)));
              }}
            />
          )}
          <div className="fr-table fr-table--bordered">
            <table>
              <caption className="fr-sr-only">Ouvertures annoncées</caption>
              <thead>
                <tr>
                  <th scope="col">Ouverture</th>
                  <th scope="col">Catégorie</th>
                  <th scope="col">Type</th>
                  <th scope="col">Échéance</th>
                  <th scope="col">Statut</th>
                  <th scope="col">Disponible le</th>
                  <th scope="col">Délai</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {r.data.items.map((o) => (
                  <tr key={o.id}>
                    <th scope="row" style={{ fontWeight: 'normal' }}>
                      {o.title}
                      {o.asset ? (
                        <span className="fr-text--xs" style={{ display: 'block' }}>
                          Catalogue : <Link to={`/catalogue/${o.asset.kind}/${o.asset.slug}`}>{o.asset.title}</Link> ({o.asset.openness.replace('_', ' ')})
                        </span>
                      ) : o.assetId ? (
                        <span className="fr-text--xs" style={{ display: 'block' }}>
                          Actif lié introuvable dans le catalogue
                        </span>
                      ) : null}
                    </th>
                    <td className="fr-text--sm">{o.category}</td>
                    <td>{openingTypeLabels[o.type]}</td>
                    <td>{o.dueLabel}</td>
                    <td>{openingStatusLabels[o.status]}</td>
                    <td>{o.availableOn ? frDay(o.availableOn) : '—'}</td>
                    <td>
                      <Badge as="span" small noIcon severity={severity[o.timeliness]}>
                        {timelinessLabels[o.timeliness]}
                      </Badge>
                    </td>
                    <td>
                      {o.canEdit && (
                        <Button
                          size="small"
                          priority="secondary"
                          onClick={() => setEditing(o.id)}
                          title={`Modifier « ${o.title} »`}
                          nativeButtonProps={{ 'data-opening-edit': o.id } as never}
                        >
                          Modifier
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </RoadmapFrame>
  );
}

function OpeningForm({ opening, slug, onClose }: { opening: Opening; slug: string; onClose(): void }) {
  const { hasRole } = useAuth();
  const [status, setStatus] = useState<OpeningStatus>(opening.status);
  const [availableOn, setAvailableOn] = useState(opening.availableOn ?? '');
  const [org, setOrg] = useState(opening.organisationCode ?? '');
  const [asset, setAsset] = useState<{ id: string; title: string } | null>(null);
  const [note, setNote] = useState('');
  const orgs = useOrganisations();
  const m = useUpdateRoadmapOpening(slug, opening.id);
  const bodyOf = (): OpeningPatchBody => {
    const body: OpeningPatchBody = {};
    if (status !== opening.status) body.status = status;
    if (availableOn !== (opening.availableOn ?? '')) body.availableOn = availableOn || null;
    if (hasRole('admin') && org !== (opening.organisationCode ?? '')) body.organisationCode = org || null;
    if (asset) body.assetId = asset.id;
    if (note.trim()) body.note = note.trim();
    return body;
  };
  const err = m.error instanceof ApiError ? m.error : null;
  // The form opens above the table, far from the row's « Modifier »: the person is taken to it (issue 11).
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => focusFirstControl(ref.current), []);
  return (
    <form
      ref={ref}
      aria-label={`Modifier l’ouverture « ${opening.title} »`}
      className="fr-p-3w fr-mb-3w"
      style={{ border: `1px solid ${theme.blueBorder}` }}
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate(bodyOf(), { onSuccess: onClose });
      }}
    >
      <h2 className="fr-h5">Modifier « {opening.title} »</h2>
      <FormErrors error={m.error} labels={{ organisationCode: 'Organisation responsable', 'assetId.0': 'Lier un actif du catalogue' }} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Select
            label="Statut"
            state={err?.fieldMessage('status') ? 'error' : undefined}
            stateRelatedMessage={err?.fieldMessage('status')}
            nativeSelectProps={{ value: status, onChange: (e) => setStatus(e.target.value as OpeningStatus) }}
          >
            {openingStatuses.map((s) => (
              <option key={s} value={s}>
                {openingStatusLabels[s]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Input
            label="Disponible le"
            hintText="Par défaut : aujourd’hui"
            state={err?.fieldMessage('availableOn') ? 'error' : undefined}
            stateRelatedMessage={err?.fieldMessage('availableOn')}
            nativeInputProps={{ type: 'date', value: availableOn, onChange: (e) => setAvailableOn(e.target.value) }}
          />
        </div>
        {hasRole('admin') && (
          <div className="fr-col-12 fr-col-md-4">
            <Select
              label="Organisation responsable"
              state={err?.fieldMessage('organisationCode') ? 'error' : undefined}
              stateRelatedMessage={err?.fieldMessage('organisationCode')}
              nativeSelectProps={{ value: org, onChange: (e) => setOrg(e.target.value) }}
            >
              <option value="">Aucune</option>
              {orgs.data?.map((o) => (
                <option key={o.code} value={o.code}>
                  {o.code} — {o.name}
                </option>
              ))}
            </Select>
          </div>
        )}
      </div>
      <p className="fr-text--sm">
        Actif du catalogue lié : {asset ? asset.title : (opening.asset?.title ?? (opening.assetId ? 'un actif (introuvable)' : 'aucun'))}. Quand l’actif lié
        devient « ouvert » dans le catalogue, l’ouverture devient disponible automatiquement.
      </p>
      {err?.fieldMessage('assetId.0') && <p className="fr-error-text">{err.fieldMessage('assetId.0')}</p>}
      <AssetPicker label="Lier un actif du catalogue" onPick={(a) => setAsset({ id: a.id, title: a.title })} />
      <Input label="Note" textArea nativeTextAreaProps={{ value: note, rows: 2, maxLength: 5000, onChange: (e) => setNote(e.target.value) }} />
      <div style={{ display: 'flex', gap: '1rem' }}>
        <Button type="submit" disabled={m.isPending}>
          Enregistrer
        </Button>
        <Button type="button" priority="secondary" onClick={onClose}>
          Annuler
        </Button>
      </div>
    </form>
  );
}
