import { useState, type FormEvent } from 'react';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { Pagination } from '@codegouvfr/react-dsfr/Pagination';
import { roles, type Role } from '@patrimoine/contracts/platform';
import { ApiError } from '../../api/client';
import { useOrganisations } from '../../api/organisations';
import { roleLabels } from '@patrimoine/contracts/platform';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { adminCsvUrls, useCreateUser, useResetPassword, useUpdateUser, useUsers } from './api';
import { PageTitle } from '../../components/Page';
const PAGE_SIZE = 25;

function CreateUser({ onCreated }: { onCreated: (login: string, password?: string) => void }) {
  const orgs = useOrganisations();
  const [f, setF] = useState({ login: '', displayName: '', email: '', role: 'reader' as Role, organisationCode: '' });
  const m = useCreateUser();
  const err = m.error instanceof ApiError ? m.error : null;
  const msg = (k: string) => err?.fieldMessage(k);
  const st = (k: string) => (msg(k) ? ('error' as const) : ('default' as const));
  return (
    <form
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        m.mutate(
          { ...f, email: f.email || null, organisationCode: f.organisationCode || null },
          {
            onSuccess: (r) => {
              onCreated(r.user.login, r.password);
              setF({ login: '', displayName: '', email: '', role: 'reader', organisationCode: '' });
            },
          },
        );
      }}
      aria-label="Créer un compte"
    >
      <h2>Créer un compte</h2>
      {err && err.errors.length === 0 && <ErrorAlert error={err} />}
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Input
            label="Identifiant"
            state={st('login')}
            stateRelatedMessage={msg('login')}
            nativeInputProps={{ name: 'login', value: f.login, onChange: (e) => setF({ ...f, login: e.target.value }) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Input
            label="Nom affiché"
            state={st('displayName')}
            stateRelatedMessage={msg('displayName')}
            nativeInputProps={{ name: 'displayName', value: f.displayName, onChange: (e) => setF({ ...f, displayName: e.target.value }) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Input
            label="Courriel (facultatif)"
            state={st('email')}
            stateRelatedMessage={msg('email')}
            nativeInputProps={{ name: 'email', type: 'email', value: f.email, onChange: (e) => setF({ ...f, email: e.target.value }) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select
            label="Rôle"
            state={st('role')}
            stateRelatedMessage={msg('role')}
            nativeSelectProps={{ name: 'role', value: f.role, onChange: (e) => setF({ ...f, role: e.target.value as Role }) }}
          >
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabels[r]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select
            label="Organisation"
            state={st('organisationCode')}
            stateRelatedMessage={msg('organisationCode')}
            nativeSelectProps={{ name: 'organisationCode', value: f.organisationCode, onChange: (e) => setF({ ...f, organisationCode: e.target.value }) }}
          >
            <option value="">— Aucune —</option>
            {orgs.data?.map((o) => (
              <option key={o.code} value={o.code}>
                {o.code} — {o.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4" style={{ alignSelf: 'end' }}>
          <Button type="submit" disabled={m.isPending} className="fr-mb-3w">
            Créer le compte
          </Button>
        </div>
      </div>
    </form>
  );
}

export function UsersPage() {
  const orgs = useOrganisations();
  const [state, setState] = useUrlState(['q', 'role', 'page'] as const);
  const page = Number(state.page || 1);
  const [notice, setNotice] = useState<{ title: string; text: string } | null>(null);
  const filters = { q: state.q || undefined, role: (state.role || undefined) as Role | undefined };
  const users = useUsers({ ...filters, page, pageSize: PAGE_SIZE });
  const update = useUpdateUser();
  const reset = useResetPassword();
  const resetPassword = (id: string) =>
    reset.mutate(id, { onSuccess: (r) => setNotice(r.password ? { title: `Nouveau mot de passe de « ${r.login} »`, text: r.password } : null) });
  const pages = Math.max(1, Math.ceil((users.data?.total ?? 0) / PAGE_SIZE));

  return (
    <>
      <PageTitle>Utilisateurs et rôles</PageTitle>
      {notice && (
        <Alert
          severity="success"
          title={notice.title}
          description={
            <>
              Mot de passe à transmettre (affiché une seule fois) : <code data-testid="generated-password">{notice.text}</code>
            </>
          }
          closable
          onClose={() => setNotice(null)}
          className="fr-mb-3w"
        />
      )}
      <CreateUser
        onCreated={(login, password) => {
          setNotice(password ? { title: `Compte « ${login} » créé`, text: password } : null);
        }}
      />
      <h2 className="fr-mt-4w">Comptes</h2>
      <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
        <div className="fr-col-12 fr-col-md-5">
          <Input label="Rechercher" nativeInputProps={{ type: 'search', defaultValue: state.q, onChange: (e) => setState({ q: e.target.value }) }} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Rôle" nativeSelectProps={{ value: state.role, onChange: (e) => setState({ role: e.target.value }) }}>
            <option value="">Tous</option>
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabels[r]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <a className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line fr-mb-3w" href={adminCsvUrls.users(filters)}>
            Exporter en CSV
          </a>
        </div>
      </div>
      <ErrorAlert error={update.error ?? reset.error ?? users.error} />
      {users.data && (
        <>
          <p>{users.data.total} compte(s)</p>
          <Table
            headers={['Identifiant', 'Nom', 'Rôle', 'Organisation', 'Dernière connexion', 'Actif', 'Actions']}
            data={users.data.items.map((u) => [
              <code key="l">{u.login}</code>,
              u.displayName,
              <select
                key="r"
                className="fr-select"
                aria-label={`Rôle de ${u.login}`}
                value={u.role}
                onChange={(e) => update.mutate({ id: u.id, patch: { role: e.target.value as Role } })}
              >
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {roleLabels[r]}
                  </option>
                ))}
              </select>,
              <select
                key="o"
                className="fr-select"
                aria-label={`Organisation de ${u.login}`}
                value={u.organisationCode ?? ''}
                onChange={(e) => update.mutate({ id: u.id, patch: { organisationCode: e.target.value || null } })}
              >
                <option value="">—</option>
                {orgs.data?.map((o) => (
                  <option key={o.code} value={o.code}>
                    {o.code}
                  </option>
                ))}
              </select>,
              u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString('fr-FR') : 'jamais',
              u.active ? 'oui' : 'non',
              <div key="a" className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
                <Button size="small" priority="secondary" onClick={() => update.mutate({ id: u.id, patch: { active: !u.active } })}>
                  {u.active ? 'Désactiver' : 'Réactiver'}
                </Button>
                <Button size="small" priority="tertiary" onClick={() => resetPassword(u.id)}>
                  Réinitialiser le mot de passe
                </Button>
              </div>,
            ])}
          />
          {pages > 1 && (
            <Pagination
              count={pages}
              defaultPage={page}
              getPageLinkProps={(p) => ({
                to: `?${new URLSearchParams({ ...(state.q ? { q: state.q } : {}), ...(state.role ? { role: state.role } : {}), page: String(p) })}`,
              })}
            />
          )}
        </>
      )}
    </>
  );
}
