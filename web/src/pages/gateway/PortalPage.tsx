import { Link } from 'react-router';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Tag } from '@codegouvfr/react-dsfr/Tag';
import { gwVisibilityLabels } from '@patrimoine/contracts/gateway';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState, useUrlText } from '../../components/useUrlState';
import { gatewayUrls, useGatewayApis } from './api';
import { fmtPct, limitsText } from './format';
import { PageTitle } from '../../components/Page';

/** Public catalogue of the APIs published through the gateway. */
export function PortalPage() {
  const q = useGatewayApis();
  const [state, setState] = useUrlState(['q'] as const);
  const [search, setSearch] = useUrlText(state.q, (q) => setState({ q }));
  const text = search.toLowerCase();
  const items = (q.data ?? []).filter((a) => !text || `${a.name} ${a.description} ${a.organisationCode}`.toLowerCase().includes(text));
  return (
    <>
      <PageTitle>Portail des API</PageTitle>
      <p className="fr-text--lead">Les API du ministère, ouvertes avec une clé ou un jeton OAuth2 : documentation, essai en ligne, abonnement.</p>
      <p>
        <Link to="/api-portail/applications">Mes applications</Link> · <Link to="/api-portail/producteur">Espace producteur</Link> ·{' '}
        <a href={gatewayUrls.apis('csv')}>Exporter la liste (CSV)</a>
      </p>
      <Input label="Rechercher une API" nativeInputProps={{ value: search, onChange: (e) => setSearch(e.target.value), type: 'search' }} />
      <ErrorAlert error={q.error} />
      <div className="fr-grid-row fr-grid-row--gutters">
        {items.map((a) => (
          <div key={a.id} className="fr-col-12 fr-col-md-6">
            <div className="fr-card fr-enlarge-link">
              <div className="fr-card__body">
                <div className="fr-card__content">
                  <h2 className="fr-card__title">
                    <Link to={`/api-portail/${a.slug}`}>{a.name}</Link>
                  </h2>
                  <p className="fr-card__desc">{a.description}</p>
                  <div className="fr-card__start">
                    <Tag small>{`Accès ${gwVisibilityLabels[a.visibility]}`}</Tag> <Tag small>{a.organisationCode}</Tag>
                  </div>
                  <div className="fr-card__end">
                    <p className="fr-card__detail">Disponibilité : {fmtPct(a.availability)} sur le dernier mois</p>
                    {a.plans[0] && <p className="fr-card__detail">Limite : {limitsText(a.plans[0])}</p>}
                  </div>
                </div>
              </div>
            </div>
          </div>
        ))}
      </div>
      {q.data && items.length === 0 && <p>Aucune API ne correspond.</p>}
    </>
  );
}
