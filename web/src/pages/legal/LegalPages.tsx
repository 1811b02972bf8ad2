import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useAuth, type Role } from '../../auth';
import { webModules } from '../../modules';
import { PageTitle } from '../../components/Page';

/** The pages every public site of the State owes (DSFR, RGAA, RGPD): accessibility, legal notice, personal data, site map. */
function LegalPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <PageTitle>{title}</PageTitle>
      {children}
    </>
  );
}

const useOrg = () => useAuth().me?.orgName ?? "Ministère de l'Intérieur";

export function AccessibilityPage() {
  const org = useOrg();
  return (
    <LegalPage title="Accessibilité">
      <p>
        Le {org} s’engage à rendre ses services numériques accessibles, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration
        d’accessibilité s’applique à la plateforme Patrimoine.
      </p>
      <h2>État de conformité</h2>
      <p>
        Patrimoine est <strong>partiellement conforme</strong> au référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1 : aucun audit
        complet par un organisme indépendant n’a encore été mené.
      </p>
      <h2>Comment l’accessibilité est vérifiée</h2>
      <ul>
        <li>
          Contrôles automatiques (axe-core, règles WCAG 2.1 niveaux A et AA) dans Chromium par les tests de bout en bout, à chaque modification du code : aucune
          violation grave ou critique sur chaque page du site, visitée en visiteur et en administrateur, dans les thèmes clair et sombre pour les tableaux de
          bord.
        </li>
        <li>
          Vérifications manuelles : navigation au clavier seul (liens d’évitement, ordre de tabulation, focus visible), titre de page distinct, fil d’Ariane et
          titre de niveau 1 sur chaque page, messages d’erreur à côté des champs, graphiques accompagnés de leur tableau de données, thèmes clair et sombre.
        </li>
      </ul>
      <h2>Contenus non accessibles connus</h2>
      <ul>
        <li>
          Le graphe des relations du catalogue, dessiné, reste difficile à lire sur un petit écran : il y est remplacé par la liste des relations, le dessin
          restant disponible sur demande.
        </li>
        <li>Les documents PDF déposés par les utilisateurs (lettres de mission, pièces justificatives) ne sont pas vérifiés.</li>
      </ul>
      <h2>Retour d’information et contact</h2>
      <p>
        Si vous n’arrivez pas à accéder à un contenu ou à un service, contactez l’administrateur ministériel des données pour être orienté vers une alternative
        accessible ou obtenir le contenu sous une autre forme.
      </p>
      <h2>Voies de recours</h2>
      <p>
        Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou à une fonctionnalité, que vous nous l’avez signalé et que vous
        n’avez pas obtenu de réponse satisfaisante, vous pouvez saisir le Défenseur des droits (formulaire en ligne sur defenseurdesdroits.fr, un délégué de
        votre région, ou par courrier gratuit : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07).
      </p>
    </LegalPage>
  );
}

export function LegalNoticePage() {
  const org = useOrg();
  return (
    <LegalPage title="Mentions légales">
      <h2>Éditeur</h2>
      <p>
        {org}. Directeur de la publication : l’administrateur ministériel des données, des algorithmes et des codes sources, par délégation du secrétaire
        général.
      </p>
      <h2>Hébergement</h2>
      <p>La plateforme est hébergée par le ministère sur ses propres infrastructures ou celles de son prestataire d’hébergement qualifié.</p>
      <h2>Réutilisation des contenus</h2>
      <p>
        Les données publiées en données ouvertes le sont sous la Licence Ouverte / Open Licence version 2.0, sauf mention contraire sur le jeu de données. Le
        code source de Patrimoine est publié sous licence libre MIT.
      </p>
      <h2>Données de démonstration</h2>
      <p>Les contenus marqués « démonstration » sont fictifs : ils ne décrivent ni des personnes ni des systèmes réels.</p>
      <h2>Données personnelles</h2>
      <p>
        Voir la page <Link to="/donnees-personnelles">Données personnelles</Link>.
      </p>
    </LegalPage>
  );
}

export function PersonalDataPage() {
  const org = useOrg();
  return (
    <LegalPage title="Données personnelles">
      <p>
        Le responsable des traitements est le {org}. Cette page dit quelles données personnelles Patrimoine traite, pourquoi, combien de temps, et vos droits.
      </p>
      <div className="fr-table">
        <table>
          <caption>Traitements de données personnelles</caption>
          <thead>
            <tr>
              <th scope="col">Données</th>
              <th scope="col">Finalité</th>
              <th scope="col">Base légale</th>
              <th scope="col">Durée de conservation</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>Compte : identifiant, nom, adresse électronique, rôle, organisation ; identité fournie par ProConnect</td>
              <td>Accéder à la plateforme selon ses droits</td>
              <td>Mission d’intérêt public (art. 6.1.e RGPD)</td>
              <td>Durée de l’affectation de l’agent, puis 1 an</td>
            </tr>
            <tr>
              <td>Sessions et journal d’audit (qui a fait quoi, quand, depuis quelle adresse)</td>
              <td>Sécurité et traçabilité des modifications</td>
              <td>Obligation de sécurité (art. 32 RGPD)</td>
              <td>Sessions : 12 heures au plus ; journal : 1 an</td>
            </tr>
            <tr>
              <td>Fichier des personnes décédées (INSEE) : noms, prénoms, dates et lieux de naissance et de décès</td>
              <td>Recherche et appariement pour les administrations et le public</td>
              <td>Données publiques diffusées par l’INSEE (code des relations entre le public et l’administration, art. L312-1-1)</td>
              <td>Tant que l’INSEE les diffuse ; les oppositions sont appliquées à chaque import</td>
            </tr>
            <tr>
              <td>Demandes d’habilitation : contacts (métier, technique, délégué à la protection des données), pièces jointes</td>
              <td>Instruire l’accès aux API et données restreintes</td>
              <td>Mission d’intérêt public</td>
              <td>Durée de l’habilitation, puis 5 ans</td>
            </tr>
            <tr>
              <td>Réseau des administrateurs des données : nom, fonction, coordonnées, lettre de mission</td>
              <td>Gouvernance de la politique des données</td>
              <td>Mission d’intérêt public</td>
              <td>Durée de la nomination, puis 1 an</td>
            </tr>
          </tbody>
        </table>
      </div>
      <h2>Vos droits</h2>
      <p>
        Vous disposez d’un droit d’accès, de rectification, de limitation et d’opposition sur les données vous concernant (articles 15 à 21 du RGPD). Pour les
        exercer, écrivez au délégué à la protection des données du ministère. Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés,
        vous pouvez adresser une réclamation à la CNIL.
      </p>
      <h2>Cookies</h2>
      <p>
        Patrimoine ne dépose qu’un cookie de session, strictement nécessaire à la connexion, et aucun traceur de mesure d’audience tiers : aucun consentement
        n’est demandé.
      </p>
    </LegalPage>
  );
}

export function SiteMapPage() {
  const { hasRole } = useAuth();
  const visible = (roles?: readonly Role[]) => !roles || hasRole(...roles);
  return (
    <LegalPage title="Plan du site">
      <ul>
        <li>
          <Link to="/">Accueil</Link>
        </li>
        {webModules
          .filter((m) => m.nav && visible(m.nav.roles))
          .map((m) => (
            <li key={m.name}>
              <Link to={m.nav!.to}>{m.nav!.text}</Link>
              {m.nav!.children && (
                <ul>
                  {m
                    .nav!.children.filter((c) => visible(c.roles))
                    .map((c) => (
                      <li key={c.to}>
                        <Link to={c.to}>{c.text}</Link>
                      </li>
                    ))}
                </ul>
              )}
            </li>
          ))}
        <li>
          <Link to="/connexion">Connexion</Link>
        </li>
        <li>
          <Link to="/accessibilite">Accessibilité</Link>
        </li>
        <li>
          <Link to="/mentions-legales">Mentions légales</Link>
        </li>
        <li>
          <Link to="/donnees-personnelles">Données personnelles</Link>
        </li>
      </ul>
    </LegalPage>
  );
}
