import { Fragment, useState } from 'react';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { labelOf } from '@patrimoine/contracts/common';
import { actorLabel } from '@patrimoine/contracts/platform';
import { versionActionLabels } from '@patrimoine/contracts/catalog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { JsonDiff } from '../../../components/JsonDiff';
import { useAssetHistory } from '../api';
import { useAssetParams } from './params';

/** The versions of the asset, who made them, and what changed. */
export function HistoryTab() {
  const { kind, slug } = useAssetParams();
  const [open, setOpen] = useState<number | null>(null);
  const r = useAssetHistory(kind, slug);
  return (
    <>
      <ErrorAlert error={r.error} />
      {r.data && (
        <div className="fr-table">
          <table>
            <caption>Historique des versions</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Date</th>
                <th scope="col">Par</th>
                <th scope="col">Action</th>
                <th scope="col">Changements</th>
              </tr>
            </thead>
            <tbody>
              {r.data.map((v, i) => {
                const prev = r.data[i + 1];
                return (
                  <Fragment key={v.version}>
                    <tr>
                      <td>{v.version}</td>
                      <td>{new Date(v.at).toLocaleString('fr-FR')}</td>
                      <td>{actorLabel(v.actor)}</td>
                      <td>{labelOf(versionActionLabels, v.action)}</td>
                      <td>
                        <Button
                          size="small"
                          priority="tertiary"
                          aria-expanded={open === v.version}
                          onClick={() => setOpen(open === v.version ? null : v.version)}
                        >
                          {open === v.version ? 'Masquer' : `Voir les changements (v${v.version})`}
                        </Button>
                      </td>
                    </tr>
                    {open === v.version && (
                      <tr>
                        <td colSpan={5}>
                          <JsonDiff before={prev?.snapshot ?? {}} after={v.snapshot} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
