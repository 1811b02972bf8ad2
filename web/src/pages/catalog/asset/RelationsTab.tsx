import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { labelOf } from '@patrimoine/contracts/common';
import { actorLabel } from '@patrimoine/contracts/platform';
import { kindLabels, type RelationType } from '@patrimoine/contracts/catalog';
import { ApiError } from '../../../api/client';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useCatalogMeta, useCatalogSearch, useCreateRelation, useDeleteRelation, type AssetDetail } from '../api';
import { assetPath } from '../presentation';

/** The asset's relations, both directions; editors add and remove them. */
export function RelationsTab({ detail }: { detail: AssetDetail }) {
  const meta = useCatalogMeta();
  const [form, setForm] = useState<{ type: RelationType; direction: string; other: string; note: string }>({
    type: 'uses',
    direction: 'outgoing',
    other: '',
    note: '',
  });
  const candidates = useCatalogSearch({ q: form.other, pageSize: 8 }, { enabled: form.other.length >= 2 && !form.other.includes(':') });
  const create = useCreateRelation();
  const del = useDeleteRelation();
  const a = detail.asset;
  function add(ev: FormEvent) {
    ev.preventDefault();
    del.reset();
    const [from, to] = form.direction === 'outgoing' ? [a.ref, form.other.trim()] : [form.other.trim(), a.ref];
    create.mutate({ type: form.type, from, to, note: form.note || null }, { onSuccess: () => setForm({ ...form, other: '', note: '' }) });
  }
  function remove(id: string) {
    create.reset();
    del.mutate(id);
  }
  const error = create.error ?? del.error;
  const apiErr = error instanceof ApiError ? error : null;
  const fieldMsg = (f: string) => apiErr?.fieldMessage(f);
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
                    {actorLabel(r.createdBy)}, {new Date(r.createdAt).toLocaleDateString('fr-FR')}
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
                nativeSelectProps={{ value: form.type, onChange: (e) => setForm({ ...form, type: e.target.value as RelationType }) }}
              >
                {Object.entries(meta.data.relations).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label} ({v.from.map((x) => labelOf(kindLabels, x)).join(', ')} → {v.to.map((x) => labelOf(kindLabels, x)).join(', ')})
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
