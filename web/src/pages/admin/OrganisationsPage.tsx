import { useState, type FormEvent } from 'react';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { labelOf } from '@patrimoine/contracts/common';
import { organisationKindLabels as kinds } from '@patrimoine/contracts/platform';
import { ApiError } from '../../api/client';
import { useOrganisations, type Organisation } from '../../api/organisations';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useCreateOrganisation, useUpdateOrganisation } from './api';
import { PageTitle } from '../../components/Page';

/** Depth-first order so that services appear under their directorate. */
function tree(orgs: Organisation[]): { org: Organisation; depth: number }[] {
  const children = new Map<string | null, Organisation[]>();
  for (const o of orgs) children.set(o.parentId, [...(children.get(o.parentId) ?? []), o]);
  const out: { org: Organisation; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const o of (children.get(parent) ?? []).sort((a, b) => a.code.localeCompare(b.code))) {
      out.push({ org: o, depth });
      walk(o.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export function OrganisationsPage() {
  const orgs = useOrganisations();
  const [f, setF] = useState({ code: '', name: '', kind: 'direction', parentCode: '' });
  const create = useCreateOrganisation();
  const move = useUpdateOrganisation();
  const err = create.error instanceof ApiError ? create.error : null;
  const msg = (k: string) => err?.fieldMessage(k);
  return (
    <>
      <PageTitle>Organisations</PageTitle>
      <p>Les directions et services du ministère : ils possèdent les actifs, portent les actions de la feuille de route et produisent les API.</p>
      <ErrorAlert error={move.error} />
      {orgs.data && (
        <Table
          headers={['Code', 'Nom', 'Type', 'Rattachement']}
          data={tree(orgs.data).map(({ org, depth }) => [
            <code key="c" style={{ paddingLeft: `${depth * 1.5}rem` }}>
              {org.code}
            </code>,
            org.name,
            labelOf(kinds, org.kind),
            <select
              key="p"
              className="fr-select"
              aria-label={`Rattachement de ${org.code}`}
              value={org.parentCode ?? ''}
              onChange={(e) => move.mutate({ code: org.code, patch: { parentCode: e.target.value || null } })}
            >
              <option value="">— Aucun —</option>
              {orgs.data
                .filter((o) => o.code !== org.code)
                .map((o) => (
                  <option key={o.code} value={o.code}>
                    {o.code}
                  </option>
                ))}
            </select>,
          ])}
        />
      )}
      <form
        aria-label="Ajouter une organisation"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          create.mutate({ ...f, parentCode: f.parentCode || null }, { onSuccess: () => setF({ code: '', name: '', kind: 'direction', parentCode: '' }) });
        }}
      >
        <h2>Ajouter une organisation</h2>
        {err && err.errors.length === 0 && <ErrorAlert error={err} />}
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-2">
            <Input
              label="Code"
              hintText="En majuscules"
              state={msg('code') ? 'error' : 'default'}
              stateRelatedMessage={msg('code')}
              nativeInputProps={{ value: f.code, onChange: (e) => setF({ ...f, code: e.target.value.toUpperCase() }) }}
            />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <Input
              label="Nom"
              state={msg('name') ? 'error' : 'default'}
              stateRelatedMessage={msg('name')}
              nativeInputProps={{ value: f.name, onChange: (e) => setF({ ...f, name: e.target.value }) }}
            />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <Select label="Type" nativeSelectProps={{ value: f.kind, onChange: (e) => setF({ ...f, kind: e.target.value }) }}>
              {Object.entries(kinds).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </Select>
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <Select
              label="Rattachement"
              state={msg('parentCode') ? 'error' : 'default'}
              stateRelatedMessage={msg('parentCode')}
              nativeSelectProps={{ value: f.parentCode, onChange: (e) => setF({ ...f, parentCode: e.target.value }) }}
            >
              <option value="">— Aucun —</option>
              {orgs.data?.map((o) => (
                <option key={o.code} value={o.code}>
                  {o.code}
                </option>
              ))}
            </Select>
          </div>
        </div>
        <Button type="submit" disabled={create.isPending}>
          Ajouter
        </Button>
      </form>
    </>
  );
}
