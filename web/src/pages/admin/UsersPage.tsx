import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { Pagination } from '@codegouvfr/react-dsfr/Pagination';
import { api, ApiError, qs } from '../../api/client';
import { useOrganisations } from '../../api/organisations';
import { roleLabels, type Role } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';

interface User {
  id: string;
  login: string;
  email: string | null;
  displayName: string;
  role: Role;
  organisationCode: string | null;
  active: boolean;
  lastLoginAt: string | null;
}

const roles = Object.keys(roleLabels) as Role[];
const PAGE_SIZE = 25;

function CreateUser({ onCreated }: { onCreated: (login: string, password?: string) => void }) {
  const orgs = useOrganisations();
  const [f, setF] = useState({ login: '', displayName: '', email: '', role: 'reader' as Role, organisationCode: '' });
  const m = useMutation({
    mutationFn: () =>
      api<{ user: User; password?: string }>('/api/admin/users', {
        method: 'POST',
        body: { ...f, email: f.email || null, organisationCode: f.organisationCode || null },
      }),
    onSuccess: (r) => {
      onCreated(r.user.login, r.password);
      setF({ login: '', displayName: '', email: '', role: 'reader', organisationCode: '' });
    },
  });
  const err = m.error instanceof ApiError ? m.error : null;
  const msg = (k: string) => err?.fieldMessage(k);
  const st = (k: string) => (msg(k) ? ('error' as const) : ('default' as const));
  return (
    <form
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        m.mutate();
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
  const qc = useQueryClient();
  const orgs = useOrganisations();
  const [state, setState] = useUrlState(['q', 'role', 'page'] as const);
  const page = Number(state.page || 1);
  const [notice, setNotice] = useState<{ title: string; text: string } | null>(null);
  const query = qs({ q: state.q, role: state.role, page, pageSize: PAGE_SIZE });
  const users = useQuery({ queryKey: ['admin-users', query], queryFn: () => api<{ items: User[]; total: number }>(`/api/admin/users${query}`) });
  const update = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Record<string, unknown> }) => api<User>(`/api/admin/users/${id}`, { method: 'PATCH', body: patch }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['admin-users'] }),
  });
  const reset = useMutation({
    mutationFn: (id: string) => api<{ login: string; password: string }>(`/api/admin/users/${id}/reset-password`, { method: 'POST' }),
    onSuccess: (r) => setNotice({ title: `Nouveau mot de passe de « ${r.login} »`, text: r.password }),
  });
  const pages = Math.max(1, Math.ceil((users.data?.total ?? 0) / PAGE_SIZE));

  return (
    <>
      <h1>Utilisateurs et rôles</h1>
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
          void qc.invalidateQueries({ queryKey: ['admin-users'] });
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
          <a
            className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line fr-mb-3w"
            href={`/api/admin/users${qs({ q: state.q, role: state.role, format: 'csv' })}`}
          >
            Exporter en CSV
          </a>
        </div>
      </div>
      {update.error ? <ErrorAlert error={update.error} /> : null}
      {users.error ? <ErrorAlert error={users.error} /> : null}
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
                onChange={(e) => update.mutate({ id: u.id, patch: { role: e.target.value } })}
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
                <Button size="small" priority="tertiary" onClick={() => reset.mutate(u.id)}>
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
