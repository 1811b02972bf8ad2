import { Link } from 'react-router';
import { PageTitle } from '../../components/Page';

export function NotFoundPage() {
  return (
    <>
      <PageTitle>Page non trouvée</PageTitle>
      <p>La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée.</p>
      <Link className="fr-btn" to="/">
        Page d’accueil
      </Link>
    </>
  );
}
