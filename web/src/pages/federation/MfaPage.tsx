import { useSearchParams } from 'react-router';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { ProConnectButton } from '@codegouvfr/react-dsfr/ProConnectButton';
import { proconnectLoginUrl } from './api';
import { PageTitle } from '../../components/Page';

/** After a ProConnect sign-in below the level the agent's role needs: explain and offer an MFA sign-in. */
export function MfaPage() {
  const [params] = useSearchParams();
  const retour = params.get('retour') ?? '/';
  return (
    <>
      <PageTitle>Double authentification requise</PageTitle>
      <MfaNotice retour={retour} />
      <p>
        <a href={retour.startsWith('/') ? retour : '/'}>Continuer avec les droits d’un agent en lecture</a>
      </p>
    </>
  );
}

/** The explanation and the MFA sign-in button, also shown where a page is refused for that reason. */
export function MfaNotice({ retour }: { retour: string }) {
  return (
    <>
      <Alert
        severity="warning"
        className="fr-mb-3w"
        title="Votre rôle exige une authentification à deux facteurs"
        description="Vous vous êtes connecté avec ProConnect sans double authentification (MFA). Tant que vous ne vous reconnectez pas avec une méthode à deux facteurs, Patrimoine vous donne les droits d’un agent en lecture seule."
      />
      <p>Reconnectez-vous avec ProConnect en choisissant une méthode à deux facteurs (code à usage unique, clé de sécurité…) :</p>
      <ProConnectButton url={proconnectLoginUrl({ retour, mfa: true })} />
    </>
  );
}
