import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { labelOf } from '@patrimoine/contracts/common';
import { slugify } from '@patrimoine/contracts/slug';
import { contactRoleLabels, kindLabels, lifecycleLabels, opennessLabels, type AssetKind, type ContactRole } from '@patrimoine/contracts/catalog';
import { ApiError } from '../../api/client';
import { useOrganisations } from '../../api/organisations';
import { FormErrors } from '../../components/FormErrors';
import { useSaveAsset, type Asset, type AssetBody } from './api';
import { specFields, type SpecField } from './specFields';
import { assetPath } from './presentation';

interface FormState {
  kind: AssetKind;
  slug: string;
  title: string;
  description: string;
  owner: string;
  tags: string;
  lifecycle: string;
  decommissionPlannedOn: string;
  decommissionedOn: string;
  openness: string;
  opennessReason: string;
  personalData: boolean;
  contacts: { role: string; name: string; email: string }[];
  spec: Record<string, string | boolean>;
}

function specToForm(kind: AssetKind, spec: Record<string, unknown>): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const f of specFields[kind] ?? []) {
    const v = spec[f.key];
    if (v === undefined || v === null) continue;
    if (f.type === 'bool') out[f.key] = v === true;
    else if (f.type === 'list') out[f.key] = (v as string[]).join(', ');
    else if (f.type === 'json') out[f.key] = JSON.stringify(v, null, 2);
    else out[f.key] = String(v);
  }
  return out;
}

function formToSpec(kind: AssetKind, spec: Record<string, string | boolean>): { spec: Record<string, unknown>; errors: Record<string, string> } {
  const out: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of specFields[kind] ?? []) {
    const v = spec[f.key];
    if (f.type === 'bool') {
      if (v === true) out[f.key] = true;
      else if (v === false) out[f.key] = false;
      continue;
    }
    if (typeof v !== 'string' || v.trim() === '') continue;
    if (f.type === 'list')
      out[f.key] = v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    else if (f.type === 'number') out[f.key] = Number(v);
    else if (f.type === 'json') {
      try {
        out[f.key] = JSON.parse(v);
      } catch {
        errors[`spec.${f.key}`] = 'JSON invalide';
      }
    } else out[f.key] = v.trim();
  }
  return { spec: out, errors };
}

export function emptyForm(kind: AssetKind = 'application', owner = ''): FormState {
  return {
    kind,
    slug: '',
    title: '',
    description: '',
    owner,
    tags: '',
    lifecycle: 'en_service',
    decommissionPlannedOn: '',
    decommissionedOn: '',
    openness: 'ferme',
    opennessReason: '',
    personalData: false,
    contacts: [],
    spec: {},
  };
}

export function formOf(a: Asset): FormState {
  return {
    kind: a.kind,
    slug: a.slug,
    title: a.title,
    description: a.description,
    owner: a.owner ?? '',
    tags: a.tags.join(', '),
    lifecycle: a.lifecycle,
    decommissionPlannedOn: a.decommissionPlannedOn ?? '',
    decommissionedOn: a.decommissionedOn ?? '',
    openness: a.openness,
    opennessReason: a.opennessReason ?? '',
    personalData: a.personalData,
    contacts: a.contacts.map((c) => ({ role: c.role, name: c.name, email: c.email ?? '' })),
    spec: specToForm(a.kind, a.spec),
  };
}

/** Create or edit form; errors from the server are shown next to their field. */
export function AssetForm({ initial, existing }: { initial: FormState; existing?: Asset }) {
  const [f, setF] = useState<FormState>(initial);
  const [slugEdited, setSlugEdited] = useState(initial.slug !== '');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const save = useSaveAsset(existing);
  const orgs = useOrganisations();
  const navigate = useNavigate();
  const apiErr = save.error instanceof ApiError ? save.error : null;
  const msg = (field: string) => localErrors[field] ?? apiErr?.errors.find((e) => e.field === field || e.field === `body.${field}`)?.message;
  const st = (field: string) => (msg(field) ? ('error' as const) : undefined);
  const setSpec = (k: string, v: string | boolean) => setF({ ...f, spec: { ...f.spec, [k]: v } });

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    const { spec, errors } = formToSpec(f.kind, f.spec);
    setLocalErrors(errors);
    if (Object.keys(errors).length) return;
    const body: AssetBody = {
      kind: f.kind,
      slug: f.slug.trim(),
      title: f.title,
      description: f.description,
      owner: f.owner || null,
      contacts: f.contacts
        .filter((c) => c.name.trim())
        .map((c) => ({ role: c.role as ContactRole, name: c.name.trim(), ...(c.email.trim() ? { email: c.email.trim() } : {}) })),
      tags: f.tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      lifecycle: f.lifecycle as AssetBody['lifecycle'],
      decommissionPlannedOn: f.decommissionPlannedOn || null,
      decommissionedOn: f.decommissionedOn || null,
      openness: f.openness as AssetBody['openness'],
      opennessReason: f.opennessReason.trim() || null,
      personalData: f.personalData,
      spec,
    };
    save.mutate(body, { onSuccess: (saved) => navigate(assetPath(saved), { state: { saved: true } }) });
  }

  const specInput = (fd: SpecField) => {
    const id = `spec.${fd.key}`;
    const v = f.spec[fd.key];
    if (fd.type === 'bool') {
      return (
        <Select
          label={fd.label}
          state={st(id)}
          stateRelatedMessage={msg(id)}
          nativeSelectProps={{
            value: v === true ? 'oui' : v === false ? 'non' : '',
            onChange: (e) => setSpec(fd.key, e.target.value === 'oui' ? true : e.target.value === 'non' ? false : ''),
          }}
        >
          <option value="">Non renseigné</option>
          <option value="oui">Oui</option>
          <option value="non">Non</option>
        </Select>
      );
    }
    if (fd.type === 'select') {
      return (
        <Select
          label={fd.label}
          state={st(id)}
          stateRelatedMessage={msg(id)}
          nativeSelectProps={{ value: typeof v === 'string' ? v : '', onChange: (e) => setSpec(fd.key, e.target.value) }}
        >
          <option value="">Non renseigné</option>
          {fd.options.map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
        </Select>
      );
    }
    const common = { value: typeof v === 'string' ? v : '', onChange: (e: { target: { value: string } }) => setSpec(fd.key, e.target.value) };
    if (fd.type === 'textarea' || fd.type === 'json') {
      return (
        <Input
          textArea
          label={fd.label}
          hintText={'hint' in fd ? fd.hint : undefined}
          state={st(id)}
          stateRelatedMessage={msg(id) ?? apiErr?.errors.find((e) => e.field.startsWith(`${id}.`))?.message}
          nativeTextAreaProps={{ ...common, rows: fd.type === 'json' ? 6 : 3 }}
        />
      );
    }
    return (
      <Input
        label={fd.label}
        hintText={'hint' in fd ? fd.hint : undefined}
        state={st(id)}
        stateRelatedMessage={msg(id)}
        nativeInputProps={{ ...common, type: fd.type === 'url' ? 'url' : fd.type === 'date' ? 'date' : fd.type === 'number' ? 'number' : 'text' }}
      />
    );
  };

  return (
    <form onSubmit={submit} aria-label={existing ? 'Modifier l’actif' : 'Créer un actif'} noValidate>
      <FormErrors
        error={save.error}
        local={localErrors}
        labels={{
          kind: 'Type d’actif',
          description: 'Description (Markdown)',
          owner: 'Organisation propriétaire',
          ...Object.fromEntries((specFields[f.kind] ?? []).map((fd) => [`spec.${fd.key}`, fd.label])),
          ...Object.fromEntries(
            f.contacts.flatMap((_, i) => [
              [`contacts.${i}.name`, `Nom du contact ${i + 1}`],
              [`contacts.${i}.email`, `Courriel du contact ${i + 1}`],
              [`contacts.${i}.role`, `Rôle du contact ${i + 1}`],
            ]),
          ),
        }}
      />
      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend">Identification</legend>
        <div className="fr-fieldset__element">
          <Select
            label="Type d’actif"
            state={st('kind')}
            stateRelatedMessage={msg('kind')}
            disabled={!!existing}
            nativeSelectProps={{ value: f.kind, onChange: (e) => setF({ ...f, kind: e.target.value as AssetKind, spec: {} }) }}
          >
            {Object.entries(kindLabels).map(([k, l]) => (
              <option key={k} value={k}>
                {l}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-fieldset__element">
          <Input
            label="Titre"
            state={st('title')}
            stateRelatedMessage={msg('title')}
            nativeInputProps={{
              value: f.title,
              // A new asset's identifier follows its title until the person edits it.
              onChange: (e) => setF({ ...f, title: e.target.value, slug: existing || slugEdited ? f.slug : slugify(e.target.value, { fallback: '' }) }),
            }}
          />
        </div>
        <div className="fr-fieldset__element">
          <Input
            label="Identifiant"
            hintText="Déduit du titre (sans accents) ; minuscules, chiffres et tirets, unique pour ce type (référence type:identifiant)"
            state={st('slug')}
            stateRelatedMessage={msg('slug')}
            nativeInputProps={{
              value: f.slug,
              onChange: (e) => {
                setSlugEdited(e.target.value !== '');
                setF({ ...f, slug: e.target.value });
              },
            }}
          />
        </div>
        <div className="fr-fieldset__element">
          <Input
            textArea
            label="Description (Markdown)"
            hintText="Au moins 100 caractères pour un actif complet"
            state={st('description')}
            stateRelatedMessage={msg('description')}
            nativeTextAreaProps={{ value: f.description, rows: 5, onChange: (e) => setF({ ...f, description: e.target.value }) }}
          />
        </div>
        <div className="fr-fieldset__element">
          <Select
            label="Organisation propriétaire"
            state={st('owner')}
            stateRelatedMessage={msg('owner')}
            nativeSelectProps={{ value: f.owner, onChange: (e) => setF({ ...f, owner: e.target.value }) }}
          >
            <option value="">Aucune</option>
            {orgs.data?.map((o) => (
              <option key={o.code} value={o.code}>
                {o.code} — {o.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-fieldset__element">
          <Input
            label="Mots-clés"
            hintText="Séparés par des virgules"
            state={st('tags')}
            stateRelatedMessage={msg('tags')}
            nativeInputProps={{ value: f.tags, onChange: (e) => setF({ ...f, tags: e.target.value }) }}
          />
        </div>
      </fieldset>

      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend">Cycle de vie et ouverture</legend>
        <div className="fr-fieldset__element">
          <Select
            label="Cycle de vie"
            state={st('lifecycle')}
            stateRelatedMessage={msg('lifecycle')}
            nativeSelectProps={{ value: f.lifecycle, onChange: (e) => setF({ ...f, lifecycle: e.target.value }) }}
          >
            {Object.entries(lifecycleLabels).map(([k, l]) => (
              <option key={k} value={k}>
                {l}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-fieldset__element">
          <Input
            label="Décommissionnement prévu le"
            state={st('decommissionPlannedOn')}
            stateRelatedMessage={msg('decommissionPlannedOn')}
            nativeInputProps={{ type: 'date', value: f.decommissionPlannedOn, onChange: (e) => setF({ ...f, decommissionPlannedOn: e.target.value }) }}
          />
        </div>
        <div className="fr-fieldset__element">
          <Input
            label="Décommissionné le"
            state={st('decommissionedOn')}
            stateRelatedMessage={msg('decommissionedOn')}
            nativeInputProps={{ type: 'date', value: f.decommissionedOn, onChange: (e) => setF({ ...f, decommissionedOn: e.target.value }) }}
          />
        </div>
        <div className="fr-fieldset__element">
          <Select
            label="Ouverture"
            state={st('openness')}
            stateRelatedMessage={msg('openness')}
            nativeSelectProps={{ value: f.openness, onChange: (e) => setF({ ...f, openness: e.target.value }) }}
          >
            {Object.entries(opennessLabels).map(([k, l]) => (
              <option key={k} value={k}>
                {l}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-fieldset__element">
          <Input
            textArea
            label="Motif juridique de non-ouverture"
            hintText="Obligatoire si non ouvrable (ex. secret protégé par l’article L311-5 du CRPA, données personnelles)"
            state={st('opennessReason')}
            stateRelatedMessage={msg('opennessReason')}
            nativeTextAreaProps={{ value: f.opennessReason, rows: 2, onChange: (e) => setF({ ...f, opennessReason: e.target.value }) }}
          />
        </div>
        <div className="fr-fieldset__element">
          <Checkbox
            state={st('personalData')}
            stateRelatedMessage={msg('personalData')}
            options={[
              {
                label: 'Contient des données personnelles',
                nativeInputProps: { checked: f.personalData, onChange: (e) => setF({ ...f, personalData: e.target.checked }) },
              },
            ]}
          />
        </div>
      </fieldset>

      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend">Contacts</legend>
        {f.contacts.map((c, i) => (
          <div key={i} className="fr-fieldset__element fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div className="fr-col-12 fr-col-md-4">
              <Select
                label={`Rôle du contact ${i + 1}`}
                nativeSelectProps={{
                  value: c.role,
                  onChange: (e) => setF({ ...f, contacts: f.contacts.map((x, j) => (j === i ? { ...x, role: e.target.value } : x)) }),
                }}
              >
                {Object.entries(contactRoleLabels).map(([k, l]) => (
                  <option key={k} value={k}>
                    {l}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-12 fr-col-md-3">
              <Input
                label={`Nom du contact ${i + 1}`}
                state={st(`contacts.${i}.name`)}
                stateRelatedMessage={msg(`contacts.${i}.name`)}
                nativeInputProps={{
                  value: c.name,
                  onChange: (e) => setF({ ...f, contacts: f.contacts.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) }),
                }}
              />
            </div>
            <div className="fr-col-12 fr-col-md-3">
              <Input
                label={`Courriel du contact ${i + 1}`}
                state={st(`contacts.${i}.email`)}
                stateRelatedMessage={msg(`contacts.${i}.email`)}
                nativeInputProps={{
                  type: 'email',
                  value: c.email,
                  onChange: (e) => setF({ ...f, contacts: f.contacts.map((x, j) => (j === i ? { ...x, email: e.target.value } : x)) }),
                }}
              />
            </div>
            <div className="fr-col-12 fr-col-md-2">
              <Button type="button" priority="tertiary" size="small" onClick={() => setF({ ...f, contacts: f.contacts.filter((_, j) => j !== i) })}>
                Retirer
              </Button>
            </div>
          </div>
        ))}
        <div className="fr-fieldset__element">
          <Button
            type="button"
            priority="secondary"
            size="small"
            iconId="fr-icon-add-line"
            onClick={() => setF({ ...f, contacts: [...f.contacts, { role: 'responsable_fonctionnel', name: '', email: '' }] })}
          >
            Ajouter un contact
          </Button>
        </div>
      </fieldset>

      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend">Champs propres au type « {labelOf(kindLabels, f.kind)} »</legend>
        {(specFields[f.kind] ?? []).map((fd) => (
          <div key={`${f.kind}-${fd.key}`} className="fr-fieldset__element">
            {specInput(fd)}
          </div>
        ))}
      </fieldset>
      <Button type="submit" disabled={save.isPending}>
        {existing ? 'Enregistrer' : 'Créer l’actif'}
      </Button>
    </form>
  );
}
