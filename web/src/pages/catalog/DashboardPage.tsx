import { Link } from 'react-router';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { labelOf } from '@patrimoine/contracts/common';
import { kindPluralLabels, opennessLabels } from '@patrimoine/contracts/catalog';
import { useOrganisations } from '../../api/organisations';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { useCatalogDashboard } from './api';
import { BarChart, StackedBars } from './charts';
import { assetPath, kindColors, opennessColors } from './presentation';
import { PageTitle } from '../../components/Page';

/** Ministry-wide or per-directorate dashboard of the catalogue. */
export function DashboardPage() {
  const [s, set] = useUrlState(['owner'] as const);
  const orgs = useOrganisations();
  const r = useCatalogDashboard(s.owner);
  const d = r.data;
  const total = d?.byKind.reduce((x, k) => x + k.n, 0) ?? 0;
  const ouvert = d?.byOpenness.filter((o) => o.openness === 'ouvert').reduce((x, o) => x + o.n, 0) ?? 0;
  const aOuvrir = d?.byOpenness.filter((o) => o.openness === 'a_ouvrir').reduce((x, o) => x + o.n, 0) ?? 0;
  const avg = total ? Math.round((d?.byKind.reduce((x, k) => x + k.completeness * k.n, 0) ?? 0) / total) : 0;
  const scope = s.owner ? (orgs.data?.find((o) => o.code === s.owner)?.name ?? s.owner) : 'le ministère';
  return (
    <>
      <PageTitle>Tableau de bord du catalogue</PageTitle>
      <div className="fr-grid-row">
        <div className="fr-col-12 fr-col-md-6">
          <Select label="Périmètre" nativeSelectProps={{ value: s.owner, onChange: (e) => set({ owner: e.target.value }) }}>
            <option value="">Tout le ministère</option>
            {orgs.data?.map((o) => (
              <option key={o.code} value={o.code}>
                {o.code} — {o.name}
              </option>
            ))}
          </Select>
        </div>
      </div>
      <ErrorAlert error={r.error} />
      {d && (
        <>
          <div className="fr-grid-row fr-grid-row--gutters fr-mb-3w" data-testid="dashboard-figures">
            {[
              ['Actifs', String(total)],
              ['Complétude moyenne', `${avg} %`],
              ['Ouverts', String(ouvert)],
              ['À ouvrir', String(aOuvrir)],
              ['Ouverts depuis « à ouvrir »', String(d.openedFromPlan)],
            ].map(([k, v]) => (
              <div key={k} className="fr-col-6 fr-col-md-2">
                <div className="fr-p-2w" style={{ border: '1px solid var(--border-default-grey)' }}>
                  <p className="fr-h3 fr-mb-0" data-figure={k}>
                    {v}
                  </p>
                  <p className="fr-text--sm fr-mb-0">{k}</p>
                </div>
              </div>
            ))}
          </div>
          <p>Périmètre : {scope}.</p>
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-lg-6">
              <BarChart
                title="Actifs par type"
                bars={d.byKind.map((k) => ({ label: labelOf(kindPluralLabels, k.kind), value: k.n, color: kindColors[k.kind] }))}
              />
            </div>
            <div className="fr-col-12 fr-col-lg-6">
              <BarChart
                title="Complétude moyenne par type"
                unit=" %"
                max={100}
                bars={d.byKind.map((k) => ({ label: labelOf(kindPluralLabels, k.kind), value: k.completeness, color: kindColors[k.kind] }))}
              />
            </div>
            <div className="fr-col-12 fr-col-lg-6">
              <StackedBars
                title="Ouverture par type"
                rows={d.byKind.map((k) => ({
                  label: labelOf(kindPluralLabels, k.kind),
                  values: Object.fromEntries(d.byOpenness.filter((o) => o.kind === k.kind).map((o) => [o.openness, o.n])),
                }))}
                series={(['ouvert', 'a_ouvrir', 'ferme', 'non_ouvrable'] as const).map((o) => ({
                  key: o,
                  label: opennessLabels[o],
                  color: opennessColors[o],
                }))}
              />
            </div>
            {!s.owner && (
              <div className="fr-col-12 fr-col-lg-6">
                <BarChart
                  title="Complétude moyenne par direction"
                  unit=" %"
                  max={100}
                  bars={d.byOrg.filter((o) => o.code).map((o) => ({ label: o.code!, value: o.completeness }))}
                />
              </div>
            )}
          </div>
          <div className="fr-table">
            <table>
              <caption>Par direction</caption>
              <thead>
                <tr>
                  <th scope="col">Direction</th>
                  <th scope="col">Actifs</th>
                  <th scope="col">Complétude moyenne</th>
                  <th scope="col">Ouverts</th>
                  <th scope="col">À ouvrir</th>
                </tr>
              </thead>
              <tbody>
                {d.byOrg.map((o) => (
                  <tr key={o.code ?? '-'}>
                    <td>{o.code ? <Link to={`?owner=${o.code}`}>{o.code}</Link> : 'Sans organisation'}</td>
                    <td>{o.n}</td>
                    <td>{o.completeness} %</td>
                    <td>{o.ouvert}</td>
                    <td>{o.a_ouvrir}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2 className="fr-h4">Applications à décommissionner ({d.toDecommission.length})</h2>
          {d.toDecommission.length === 0 ? (
            <p>Aucune.</p>
          ) : (
            <ul>
              {d.toDecommission.map((a) => (
                <li key={a.slug}>
                  <Link to={assetPath(a)}>{a.title}</Link> — prévu le {a.planned ? new Date(a.planned).toLocaleDateString('fr-FR') : 'date non fixée'}
                </li>
              ))}
            </ul>
          )}
          <h2 className="fr-h4">Algorithmes restant à publier ({d.algorithmsToPublish.length})</h2>
          <p>
            <a className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left" href="/api/catalog/algorithms.csv">
              Inventaire des algorithmes (CSV, champs de l’inventaire Etalab)
            </a>
          </p>
          {d.algorithmsToPublish.length === 0 ? (
            <p>Aucun.</p>
          ) : (
            <ul>
              {d.algorithmsToPublish.map((a) => (
                <li key={a.slug}>
                  <Link to={assetPath(a)}>{a.title}</Link> ({labelOf(opennessLabels, a.openness)})
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}
