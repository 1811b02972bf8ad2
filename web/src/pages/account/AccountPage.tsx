import { useState, type FormEvent } from 'react';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Link } from 'react-router';
import { ApiError } from '../../api/client';
import { roleLabels } from '@patrimoine/contracts/platform';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormErrors } from '../../components/FormErrors';
import { useChangePassword, useCreateToken, useOwnTokens, useRevokeToken } from './api';
import { PageTitle } from '../../components/Page';

const fmt = (d: string | null) => (d ? new Date(d).toLocaleString('fr-FR') : '—');

function PasswordForm() {
  const { me, refresh } = useAuth();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const m = useChangePassword();
  const err = m.error instanceof ApiError ? m.error : null;
  return (
    <form
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        m.mutate(
          { currentPassword: current, newPassword: next },
          {
            onSuccess: async () => {
              setCurrent('');
              setNext('');
              await refresh();
            },
          },
        );
      }}
    >
      <h2>Mot de passe</h2>
      {me?.user?.mustChangePassword && (
        <Alert
          severity="warning"
          small
          description="Votre mot de passe a été attribué par un administrateur : choisissez-en un nouveau."
          className="fr-mb-2w"
        />
      )}
      {m.isSuccess && (
        <Alert
          severity="success"
          small
          description="Mot de passe modifié. Vos autres sessions ont été fermées et vos jetons d’API personnels révoqués."
          className="fr-mb-2w"
        />
      )}
      <FormErrors error={err} />
      <Input
        label="Mot de passe actuel"
        state={err?.fieldMessage('currentPassword') ? 'error' : 'default'}
        stateRelatedMessage={err?.fieldMessage('currentPassword')}
        nativeInputProps={{ type: 'password', autoComplete: 'current-password', value: current, onChange: (e) => setCurrent(e.target.value) }}
      />
      <Input
        label="Nouveau mot de passe"
        hintText="12 caractères au moins ; une phrase de passe est plus sûre et plus facile à retenir."
        state={err?.fieldMessage('newPassword') ? 'error' : 'default'}
        stateRelatedMessage={err?.fieldMessage('newPassword')}
        nativeInputProps={{ type: 'password', autoComplete: 'new-password', value: next, onChange: (e) => setNext(e.target.value) }}
      />
      <Button type="submit" disabled={m.isPending}>
        Changer le mot de passe
      </Button>
    </form>
  );
}

function Tokens() {
  const q = useOwnTokens();
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<string | null>(null);
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const err = create.error instanceof ApiError ? create.error : null;
  return (
    <section className="fr-mt-6w">
      <h2>Jetons d’API personnels</h2>
      <p>
        Pour les scripts : envoyez le jeton dans l’en-tête <code>Authorization: Bearer …</code>. Il agit avec vos droits.
      </p>
      {created && (
        <Alert
          severity="success"
          title="Jeton créé — copiez-le maintenant, il ne sera plus affiché"
          description={
            <code data-testid="new-token" style={{ wordBreak: 'break-all' }}>
              {created}
            </code>
          }
          closable
          onClose={() => setCreated(null)}
          className="fr-mb-3w"
        />
      )}
      <form
        className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(
            { name, expiresInDays: days ? Number(days) : null },
            {
              onSuccess: (t) => {
                setCreated(t.token);
                setName('');
              },
            },
          );
        }}
      >
        <div className="fr-col-12 fr-col-md-5">
          <Input
            label="Nom du jeton"
            hintText="À quoi sert-il ?"
            state={err?.fieldMessage('name') ? 'error' : 'default'}
            stateRelatedMessage={err?.fieldMessage('name')}
            nativeInputProps={{ value: name, onChange: (e) => setName(e.target.value) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Validité" nativeSelectProps={{ value: days, onChange: (e) => setDays(e.target.value) }}>
            <option value="30">30 jours</option>
            <option value="90">90 jours</option>
            <option value="366">1 an</option>
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Button type="submit" disabled={create.isPending}>
            Créer un jeton
          </Button>
        </div>
      </form>
      <ErrorAlert error={q.error ?? revoke.error} />
      {q.data && q.data.length > 0 && (
        <Table
          headers={['Nom', 'Préfixe', 'Créé le', 'Expire le', 'Dernière utilisation', 'État', '']}
          data={q.data.map((t) => [
            t.name,
            <code key="p">{t.prefix}…</code>,
            fmt(t.createdAt),
            fmt(t.expiresAt),
            fmt(t.lastUsedAt),
            t.revokedAt ? 'Révoqué' : t.expiresAt && new Date(t.expiresAt) < new Date() ? 'Expiré' : 'Actif',
            t.revokedAt ? (
              ''
            ) : (
              <Button key="r" size="small" priority="secondary" onClick={() => revoke.mutate(t.id)}>
                Révoquer
              </Button>
            ),
          ])}
        />
      )}
    </section>
  );
}

export function AccountPage() {
  const { me } = useAuth();
  if (!me?.user) return null;
  return (
    <>
      <PageTitle>Mon compte</PageTitle>
      <p>
        <strong>{me.user.displayName}</strong> — identifiant <code>{me.user.login}</code> — {roleLabels[me.user.role]}
        {me.user.organisationCode ? ` — ${me.user.organisationCode}` : ''}
      </p>
      <p>
        <Link to="/taches" className="fr-link fr-icon-time-line fr-link--icon-left">
          Mes tâches de fond (imports, rapprochements…)
        </Link>
      </p>
      <div className="fr-grid-row">
        <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
          <PasswordForm />
        </div>
      </div>
      {/* Until the password is changed, the server answers nothing else (403): no tokens to list or create. */}
      {!me.user.mustChangePassword && <Tokens />}
    </>
  );
}
