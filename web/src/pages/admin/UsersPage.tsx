import { useEffect, useRef, useState, type FormEvent } from 'react';
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
import { useUrlState, useUrlText } from '../../components/useUrlState';
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

type Account = NonNullable<ReturnType<typeof useUsers>['data']>['items'][number];
/** A change waiting for the administrator's confirmation. */
type Pending =
  | { kind: 'role'; user: Account; role: Role }
  | { kind: 'organisation'; user: Account; organisationCode: string | null }
  | { kind: 'active'; user: Account; active: boolean }
  | { kind: 'reset'; user: Account };

const who = (u: Account) => `« ${u.login} » (${u.displayName})`;

/** What a pending change will do, in a sentence, and the label of its confirm button. */
function describePending(p: Pending): { question: string; consequence: string; confirm: string } {
  switch (p.kind) {
    case 'role':
      return {
        question: `Changer le rôle de ${who(p.user)} : ${roleLabels[p.user.role]} → ${roleLabels[p.role]} ?`,
        consequence: 'Ses droits changent dès sa prochaine requête.',
        confirm: 'Confirmer le changement de rôle',
      };
    case 'organisation':
      return {
        question: `Rattacher ${who(p.user)} à ${p.organisationCode ?? 'aucune organisation'} (aujourd’hui : ${p.user.organisationCode ?? 'aucune'}) ?`,
        consequence: 'Les actifs qu’il peut modifier suivent son organisation.',
        confirm: 'Confirmer le rattachement',
      };
    case 'active':
      return p.active
        ? { question: `Réactiver le compte ${who(p.user)} ?`, consequence: 'Il pourra de nouveau se connecter.', confirm: 'Confirmer la réactivation' }
        : {
            question: `Désactiver le compte ${who(p.user)} ?`,
            consequence: 'Il ne pourra plus se connecter ; ses sessions et jetons d’API cessent de fonctionner.',
            confirm: 'Confirmer la désactivation',
          };
    case 'reset':
      return {
        question: `Réinitialiser le mot de passe de ${who(p.user)} ?`,
        consequence: 'Son mot de passe actuel ne fonctionnera plus ; un nouveau sera affiché une seule fois, à lui transmettre.',
        confirm: 'Confirmer la réinitialisation',
      };
  }
}

export function UsersPage() {
  const orgs = useOrganisations();
  const [state, setState] = useUrlState(['q', 'role', 'page'] as const);
  const [search, setSearch] = useUrlText(state.q, (q) => setState({ q }));
  const page = Number(state.page || 1);
  const [notice, setNotice] = useState<{ title: string; text: string } | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  // The confirmation (and then the result) is shown above the table: it takes the focus, in view.
  useEffect(() => {
    if (pending) dialog.current?.focus();
  }, [pending]);
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);
  const filters = { q: state.q || undefined, role: (state.role || undefined) as Role | undefined };
  const users = useUsers({ ...filters, page, pageSize: PAGE_SIZE });
  const update = useUpdateUser();
  const reset = useResetPassword();
  const ask = (p: Pending) => {
    setDone(null);
    update.reset();
    reset.reset();
    setPending(p);
  };
  const confirm = (p: Pending) => {
    const ok = (message: string) => () => {
      setPending(null);
      setDone(message);
    };
    if (p.kind === 'reset')
      reset.mutate(p.user.id, {
        onSuccess: (r) => {
          setPending(null);
          setDone(null);
          setNotice(r.password ? { title: `Nouveau mot de passe de « ${r.login} »`, text: r.password } : null);
        },
      });
    else if (p.kind === 'role')
      update.mutate({ id: p.user.id, patch: { role: p.role } }, { onSuccess: ok(`Rôle de « ${p.user.login} » changé : ${roleLabels[p.role]}.`) });
    else if (p.kind === 'organisation')
      update.mutate(
        { id: p.user.id, patch: { organisationCode: p.organisationCode } },
        { onSuccess: ok(`« ${p.user.login} » est rattaché à ${p.organisationCode ?? 'aucune organisation'}.`) },
      );
    else update.mutate({ id: p.user.id, patch: { active: p.active } }, { onSuccess: ok(`Compte « ${p.user.login} » ${p.active ? 'réactivé' : 'désactivé'}.`) });
  };
  const pendingText = pending ? describePending(pending) : null;
  const busy = update.isPending || reset.isPending;
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
          <Input label="Rechercher" nativeInputProps={{ type: 'search', value: search, onChange: (e) => setSearch(e.target.value) }} />
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
      {pending && pendingText && (
        <div
          ref={dialog}
          tabIndex={-1}
          role="alertdialog"
          aria-label="Confirmer la modification du compte"
          aria-describedby="pending-change"
          className="fr-p-3w fr-mb-3w fr-background-alt--blue-france"
        >
          <p id="pending-change" className="fr-mb-1w">
            <strong>{pendingText.question}</strong> {pendingText.consequence}
          </p>
          <ErrorAlert error={update.error ?? reset.error} />
          <div className="fr-btns-group fr-btns-group--inline-sm">
            <Button disabled={busy} onClick={() => confirm(pending)}>
              {pendingText.confirm}
            </Button>
            <Button priority="secondary" onClick={() => setPending(null)}>
              Annuler
            </Button>
          </div>
        </div>
      )}
      {done && (
        <div ref={doneRef} tabIndex={-1} role="status">
          <Alert severity="success" small description={done} closable onClose={() => setDone(null)} className="fr-mb-3w" />
        </div>
      )}
      <ErrorAlert error={users.error} />
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
                style={{ width: 'auto' }}
                value={pending?.kind === 'role' && pending.user.id === u.id ? pending.role : u.role}
                onChange={(e) => ask({ kind: 'role', user: u, role: e.target.value as Role })}
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
                style={{ width: 'auto' }}
                value={pending?.kind === 'organisation' && pending.user.id === u.id ? (pending.organisationCode ?? '') : (u.organisationCode ?? '')}
                onChange={(e) => ask({ kind: 'organisation', user: u, organisationCode: e.target.value || null })}
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
                <Button size="small" priority="secondary" onClick={() => ask({ kind: 'active', user: u, active: !u.active })}>
                  {u.active ? 'Désactiver' : 'Réactiver'}
                </Button>
                <Button size="small" priority="tertiary" onClick={() => ask({ kind: 'reset', user: u })}>
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
