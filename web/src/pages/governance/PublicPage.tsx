import { governanceRoleLabels } from '@patrimoine/contracts/governance';
import { ErrorAlert } from '../../components/ErrorAlert';
import { usePublicNetwork } from './api';
import { frDay } from './common';
import { PageTitle } from '../../components/Page';

/** Public page: the names of the data administrators and referents in office, as ministries publish them. */
export function PublicNetworkPage() {
  const n = usePublicNetwork();
  return (
    <div className="fr-container fr-my-4w">
      <PageTitle>Les administrateurs des données du ministère</PageTitle>
      <ErrorAlert error={n.error} />
      {n.data && (
        <>
          <p>Situation au {frDay(n.data.asOf)}.</p>
          <div className="fr-table">
            <table>
              <caption>Administrateurs et référents en fonction</caption>
              <thead>
                <tr>
                  <th scope="col">Rôle</th>
                  <th scope="col">Direction ou région</th>
                  <th scope="col">Nom</th>
                </tr>
              </thead>
              <tbody>
                {n.data.items.map((x, i) => (
                  <tr key={i}>
                    <td>{governanceRoleLabels[x.role]}</td>
                    <td>{x.organisation ?? x.region ?? '—'}</td>
                    <th scope="row">{x.personName}</th>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
