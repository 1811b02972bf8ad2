import { useState, type FormEvent } from 'react';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { labelOf } from '@patrimoine/contracts/common';
import { roleLabels, roles, type Role } from '@patrimoine/contracts/platform';
import { ApiError } from '../../api/client';
import { useOrganisations } from '../../api/organisations';
import { ErrorAlert } from '../../components/ErrorAlert';
import { federationCsvUrls, useAgentsToPlace, useCreateRule, useDeleteRule, usePlaceAgent, useRules } from './api';
import { PageTitle } from '../../components/Page';

const roleOptions = roles.map((r) => (
  <option key={r} value={r}>
    {roleLabels[r]}
  </option>
));

/** Administrators: where ProConnect agents land (rules by SIRET or by identity provider + domain), and who waits to be placed. */
export function FederationAdminPage() {
  const rules = useRules();
  const orgs = useOrganisations();
  const create = useCreateRule();
  const remove = useDeleteRule();
  const [kind, setKind] = useState<'idp' | 'siret'>('idp');
  const [f, setF] = useState({ siret: '', idpId: '', emailDomain: '', organisationId: '', role: 'reader' as Role });
  const err = create.error instanceof ApiError ? create.error : null;
  const msg = (k: string) => err?.fieldMessage(k);
  const orgOptions = (orgs.data ?? []).map((o) => (
    <option key={o.id} value={o.id}>
      {o.code} — {o.name}
    </option>
  ));

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(
      {
        ...(kind === 'siret' ? { siret: f.siret.trim() } : { idpId: f.idpId.trim(), emailDomain: f.emailDomain.trim() }),
        organisationId: f.organisationId,
        role: f.role,
      },
      { onSuccess: () => setF({ ...f, siret: '', idpId: '', emailDomain: '' }) },
    );
  }

  return (
    <>
      <PageTitle>Connexion ProConnect des agents</PageTitle>
      <p>
        Les agents qui se connectent avec ProConnect sont rattachés à une organisation par ces règles : d’abord par fournisseur d’identité et domaine de
        courriel, puis par SIRET (ProConnect signale que le SIRET n’est pas fiable pour certains ministères). Sans règle, l’agent reçoit le rôle par défaut et
        attend d’être placé ci-dessous.
      </p>
      <h2>Règles de rattachement</h2>
      <ErrorAlert error={rules.error ?? remove.error} />
      {rules.data && (
        <Table
          caption="Règles de rattachement des agents ProConnect"
          headers={['Critère', 'Organisation', 'Rôle', 'Action']}
          data={rules.data.items.map((r) => [
            r.siret ? `SIRET ${r.siret}` : `${r.idpId} + @${r.emailDomain}`,
            r.organisationCode ?? '—',
            labelOf(roleLabels, r.role),
            <Button key={r.id} priority="tertiary" size="small" onClick={() => remove.mutate(r.id)} disabled={remove.isPending}>
              Supprimer
            </Button>,
          ])}
        />
      )}
      <p>
        <a className="fr-link fr-icon-download-line fr-link--icon-left" href={federationCsvUrls.rules} download>
          Exporter les règles (CSV)
        </a>
      </p>
      <form onSubmit={submit} noValidate className="fr-mb-6w">
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">Ajouter une règle</legend>
          {err && !err.errors.length ? <ErrorAlert error={err} /> : null}
          <RadioButtons
            legend="Critère"
            orientation="horizontal"
            options={[
              { label: 'Fournisseur d’identité et domaine', nativeInputProps: { checked: kind === 'idp', onChange: () => setKind('idp') } },
              { label: 'SIRET', nativeInputProps: { checked: kind === 'siret', onChange: () => setKind('siret') } },
            ]}
          />
          {kind === 'siret' ? (
            <Input
              label="SIRET (14 chiffres)"
              state={msg('siret') ? 'error' : 'default'}
              stateRelatedMessage={msg('siret')}
              nativeInputProps={{ name: 'siret', inputMode: 'numeric', maxLength: 14, value: f.siret, onChange: (e) => setF({ ...f, siret: e.target.value }) }}
            />
          ) : (
            <>
              <Input
                label="Fournisseur d’identité (idp_id)"
                state={msg('idpId') ? 'error' : 'default'}
                stateRelatedMessage={msg('idpId')}
                nativeInputProps={{ name: 'idpId', maxLength: 200, value: f.idpId, onChange: (e) => setF({ ...f, idpId: e.target.value }) }}
              />
              <Input
                label="Domaine de courriel (ex. interieur.gouv.fr)"
                state={msg('emailDomain') ? 'error' : 'default'}
                stateRelatedMessage={msg('emailDomain')}
                nativeInputProps={{ name: 'emailDomain', maxLength: 200, value: f.emailDomain, onChange: (e) => setF({ ...f, emailDomain: e.target.value }) }}
              />
            </>
          )}
          <Select
            label="Organisation"
            state={msg('organisationId') ? 'error' : 'default'}
            stateRelatedMessage={msg('organisationId')}
            nativeSelectProps={{ name: 'organisationId', value: f.organisationId, onChange: (e) => setF({ ...f, organisationId: e.target.value }) }}
          >
            <option value="">Choisir…</option>
            {orgOptions}
          </Select>
          <Select
            label="Rôle donné à la première connexion"
            nativeSelectProps={{ name: 'role', value: f.role, onChange: (e) => setF({ ...f, role: e.target.value as Role }) }}
          >
            {roleOptions}
          </Select>
          <Button type="submit" disabled={create.isPending}>
            Ajouter la règle
          </Button>
        </fieldset>
      </form>
      <ToPlace orgOptions={orgOptions} />
    </>
  );
}

function ToPlace({ orgOptions }: { orgOptions: React.ReactNode }) {
  const queue = useAgentsToPlace();
  const place = usePlaceAgent();
  const [choice, setChoice] = useState<Record<string, { organisationId: string; role: Role }>>({});
  const get = (id: string) => choice[id] ?? { organisationId: '', role: 'reader' as Role };
  const err = place.error instanceof ApiError ? place.error : null;
  return (
    <>
      <h2>Agents à placer</h2>
      <ErrorAlert error={queue.error} />
      {err && !err.errors.length ? <ErrorAlert error={err} /> : null}
      {queue.data && queue.data.items.length === 0 ? <p>Aucun agent n’attend d’être placé.</p> : null}
      {queue.data && queue.data.items.length > 0 && (
        <Table
          caption="Agents connectés avec ProConnect qu’aucune règle n’a rattachés"
          headers={['Agent', 'Fournisseur d’identité', 'SIRET', 'Organisation déclarée', 'Placer dans', 'Rôle', 'Action']}
          data={queue.data.items.map((a) => [
            `${a.displayName} (${a.email ?? a.login})`,
            a.idpId ?? '—',
            a.siret ?? '—',
            a.organisationLabel ?? '—',
            <Select
              key={`o${a.identityId}`}
              label={`Organisation de ${a.displayName}`}
              state={err?.fieldMessage('organisationId') && place.variables?.identityId === a.identityId ? 'error' : 'default'}
              stateRelatedMessage={place.variables?.identityId === a.identityId ? err?.fieldMessage('organisationId') : undefined}
              nativeSelectProps={{
                value: get(a.identityId).organisationId,
                onChange: (e) => setChoice({ ...choice, [a.identityId]: { ...get(a.identityId), organisationId: e.target.value } }),
              }}
            >
              <option value="">Choisir…</option>
              {orgOptions}
            </Select>,
            <Select
              key={`r${a.identityId}`}
              label={`Rôle de ${a.displayName}`}
              nativeSelectProps={{
                value: get(a.identityId).role,
                onChange: (e) => setChoice({ ...choice, [a.identityId]: { ...get(a.identityId), role: e.target.value as Role } }),
              }}
            >
              {roleOptions}
            </Select>,
            <Button
              key={`b${a.identityId}`}
              size="small"
              disabled={place.isPending}
              onClick={() => place.mutate({ identityId: a.identityId, ...get(a.identityId) })}
            >
              Placer
            </Button>,
          ])}
        />
      )}
      <p>
        <a className="fr-link fr-icon-download-line fr-link--icon-left" href={federationCsvUrls.toPlace} download>
          Exporter la file (CSV)
        </a>
      </p>
    </>
  );
}
