import { Card } from '@codegouvfr/react-dsfr/Card';
import { useAuth } from '../../auth';
import { webModules } from '../../modules';
import { PageTitle } from '../../components/Page';

export function HomePage() {
  const { me } = useAuth();
  const cards = webModules.filter((m) => m.home).map((m) => m.home!);
  return (
    <>
      <PageTitle>Patrimoine</PageTitle>
      <p className="fr-text--lead">
        Le patrimoine numérique du ministère en un seul endroit : applications, jeux de données, API, codes sources et algorithmes, leur ouverture, et le
        pilotage de la feuille de route « Données, Algorithmes, Codes sources ».
      </p>
      {me?.user && (
        <p>
          Bonjour {me.user.displayName}
          {me.user.organisationCode ? ` (${me.user.organisationCode})` : ''}.
        </p>
      )}
      <div className="fr-grid-row fr-grid-row--gutters">
        {cards.map((c) => (
          <div key={c.to} className="fr-col-12 fr-col-md-6 fr-col-lg-4">
            <Card title={c.title} desc={c.description} linkProps={{ to: c.to }} enlargeLink titleAs="h2" />
          </div>
        ))}
        {!me?.user && (
          <div className="fr-col-12 fr-col-md-6 fr-col-lg-4">
            <Card
              title="Espace agents"
              desc="Connectez-vous pour décrire les actifs de votre direction et suivre la feuille de route."
              linkProps={{ to: '/connexion' }}
              enlargeLink
              titleAs="h2"
            />
          </div>
        )}
      </div>
    </>
  );
}
