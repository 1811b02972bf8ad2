import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { PasswordInput } from '@codegouvfr/react-dsfr/blocks/PasswordInput';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { ApiError } from '../../api/client';
import { useLogin } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { ProConnectButton } from '@codegouvfr/react-dsfr/ProConnectButton';
import { proconnectErrorMessage } from '@patrimoine/contracts/federation';
import { proconnectLoginUrl, useProviders } from '../federation/api';
import { PageTitle } from '../../components/Page';

export function LoginPage() {
  const signIn = useLogin();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const error = signIn.error;
  const busy = signIn.isPending;
  const providers = useProviders();
  const providerError = params.get('erreur');
  const signedOut = params.get('deconnexion');

  function submit(e: FormEvent) {
    e.preventDefault();
    signIn.mutate(
      { login, password },
      {
        onSuccess: (me) => {
          const back = params.get('retour');
          navigate(me.user?.mustChangePassword ? '/compte?motdepasse=1' : back && back.startsWith('/') ? back : '/');
        },
      },
    );
  }

  const fieldErr = error instanceof ApiError && error.status === 400 ? error : null;
  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <PageTitle>Connexion à Patrimoine</PageTitle>
        {error && !fieldErr ? <ErrorAlert error={error} title="Connexion impossible" /> : null}
        {providerError ? (
          <Alert severity="error" className="fr-mb-3w" title="Connexion avec ProConnect impossible" description={proconnectErrorMessage(providerError)} />
        ) : null}
        {signedOut ? (
          <Alert
            severity="success"
            small
            className="fr-mb-3w"
            description={signedOut === 'proconnect' ? 'Vous êtes déconnecté de Patrimoine et de ProConnect.' : 'Vous êtes déconnecté.'}
          />
        ) : null}
        {providers.data?.proconnect.enabled ? (
          <div className="fr-mb-4w">
            <h2 className="fr-h5">Agents publics</h2>
            <ProConnectButton url={proconnectLoginUrl({ retour: params.get('retour') })} />
            <p className="fr-hr-or fr-mt-3w">ou</p>
          </div>
        ) : null}
        <form onSubmit={submit} noValidate>
          <fieldset className="fr-fieldset">
            <legend className="fr-fieldset__legend">Se connecter avec son compte agent</legend>
            <div className="fr-fieldset__element">
              <Input
                label="Identifiant"
                state={fieldErr?.fieldMessage('login') ? 'error' : 'default'}
                stateRelatedMessage={fieldErr?.fieldMessage('login')}
                nativeInputProps={{ name: 'login', autoComplete: 'username', required: true, value: login, onChange: (e) => setLogin(e.target.value) }}
              />
            </div>
            <div className="fr-fieldset__element">
              <PasswordInput
                label="Mot de passe"
                messages={fieldErr?.fieldMessage('password') ? [{ message: fieldErr.fieldMessage('password')!, severity: 'error' }] : []}
                nativeInputProps={{
                  name: 'password',
                  autoComplete: 'current-password',
                  required: true,
                  value: password,
                  onChange: (e) => setPassword(e.target.value),
                }}
              />
            </div>
            <div className="fr-fieldset__element">
              <Button type="submit" disabled={busy}>
                {busy ? 'Connexion…' : 'Se connecter'}
              </Button>
            </div>
          </fieldset>
        </form>
      </div>
    </div>
  );
}
