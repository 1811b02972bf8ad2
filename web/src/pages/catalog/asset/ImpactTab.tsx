import { Link } from 'react-router';
import { labelOf } from '@patrimoine/contracts/common';
import { kindLabels, relationLabels } from '@patrimoine/contracts/catalog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { impactCsvUrl, useAssetImpact } from '../api';
import { assetPath } from '../presentation';
import { useAssetParams } from './params';

/** Everything downstream of the asset. */
export function ImpactTab() {
  const { kind, slug } = useAssetParams();
  const r = useAssetImpact(kind, slug);
  return (
    <>
      <p>
        Les actifs en aval, touchés par une modification ou un décommissionnement de celui-ci (dépendances, usages, productions), du plus proche au plus
        lointain.
      </p>
      <p>
        <a className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left" href={impactCsvUrl(kind, slug)}>
          Exporter en CSV
        </a>
      </p>
      <ErrorAlert error={r.error} />
      {r.data && r.data.length === 0 && <p>Aucun actif en aval.</p>}
      {r.data && r.data.length > 0 && (
        <div className="fr-table">
          <table>
            <caption>Liste d’impact ({r.data.length})</caption>
            <thead>
              <tr>
                <th scope="col">Niveau</th>
                <th scope="col">Actif</th>
                <th scope="col">Type</th>
                <th scope="col">Organisation</th>
                <th scope="col">Relation</th>
                <th scope="col">Par</th>
              </tr>
            </thead>
            <tbody>
              {r.data.map((i) => (
                <tr key={i.ref}>
                  <td>{i.depth}</td>
                  <td>
                    <Link to={assetPath(i)}>{i.title}</Link>
                  </td>
                  <td>{labelOf(kindLabels, i.kind)}</td>
                  <td>{i.owner ?? '—'}</td>
                  <td>{labelOf(relationLabels, i.relation)}</td>
                  <td>
                    <code>{i.through}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
