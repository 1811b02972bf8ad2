import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <>
      <h1>Page non trouvée</h1>
      <p>La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée.</p>
      <Link className="fr-btn" to="/">
        Page d’accueil
      </Link>
    </>
  );
}
