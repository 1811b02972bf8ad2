import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { PasswordInput } from '@codegouvfr/react-dsfr/blocks/PasswordInput';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useConfirmLink, usePendingLink } from './api';
import { PageTitle } from '../../components/Page';

/** First ProConnect sign-in of an agent whose e-mail matches an existing account: they confirm it is theirs. */
export function LinkPage() {
  const pending = usePendingLink();
  const confirm = useConfirmLink();
  const { refresh } = useAuth();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const err = confirm.error instanceof ApiError ? confirm.error : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    confirm.mutate(pending.data?.passwordRequired ? { password } : {}, {
      onSuccess: async (r) => {
        await refresh();
        navigate(r.redirectTo);
      },
    });
  }

  if (pending.error) {
    return (
      <>
        <PageTitle>Lier votre identité ProConnect</PageTitle>
        <ErrorAlert error={pending.error} title="Aucune liaison en attente" />
        <p>
          <a href="/connexion">Revenir à la page de connexion</a>
        </p>
      </>
    );
  }
  if (!pending.data) return <p>Chargement…</p>;
  const p = pending.data;
  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8">
        <PageTitle>Lier votre identité ProConnect</PageTitle>
        <Alert
          severity="info"
          small
          className="fr-mb-3w"
          description={`ProConnect vous a identifié comme ${p.displayName} (${p.email}). Un compte Patrimoine existe déjà avec cette adresse : « ${p.accountLogin} ».`}
        />
        {err && !err.fieldMessage('password') ? <ErrorAlert error={err} /> : null}
        <form onSubmit={submit} noValidate>
          <p>Confirmez que ce compte est le vôtre : vos prochaines connexions avec ProConnect y mèneront directement.</p>
          {p.passwordRequired ? (
            <PasswordInput
              label="Mot de passe du compte Patrimoine"
              messages={err?.fieldMessage('password') ? [{ message: err.fieldMessage('password')!, severity: 'error' }] : []}
              nativeInputProps={{ name: 'password', autoComplete: 'current-password', value: password, onChange: (e) => setPassword(e.target.value) }}
            />
          ) : null}
          <Button type="submit" disabled={confirm.isPending || !!err?.fieldMessage('password')} className="fr-mt-2w">
            Lier mon identité ProConnect à ce compte
          </Button>
        </form>
        {err?.fieldMessage('password') ? (
          <p className="fr-mt-2w">
            <a href="/connexion">Recommencer la connexion</a>
          </p>
        ) : null}
      </div>
    </div>
  );
}
