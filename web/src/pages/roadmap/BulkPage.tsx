import { useState } from 'react';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import { BULK_MAX_BYTES as MAX, describeChange } from '@patrimoine/contracts/roadmap';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CsvLink, RoadmapFrame, useRoadmap } from './common';
import { roadmapUrls, useBulkUpdateRoadmapActions } from './api';

/** Bulk update of actions from a CSV: check first (dry run), then apply; all or nothing, errors by line. */
export function BulkPage() {
  const { slug } = useRoadmap();
  const [csv, setCsv] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const m = useBulkUpdateRoadmapActions(slug);
  const err = m.error instanceof ApiError ? m.error : null;
  const lineErrors = (err?.errors ?? []).map((e) => {
    const [, line, col] = /^lignes\.(\d+)\.?(.*)$/.exec(e.field) ?? [];
    return { line: line ?? '—', col: col || '—', message: e.message };
  });
  return (
    <RoadmapFrame title="Mise à jour en masse des actions">
      <p>
        Déposez un fichier CSV (séparateur « ; » ou « , », UTF-8) avec une colonne <code>code</code> et une ou plusieurs des colonnes <code>statut</code> (à
        lancer, en cours, réalisée, abandonnée), <code>avancement</code> (0 à 100), <code>pilote</code> et <code>note</code>. Les autres colonnes sont ignorées
        : l’export CSV de la liste des actions peut être modifié puis redéposé. Une cellule vide ne change rien. Le fichier est appliqué en entier ou pas du
        tout ; vous ne pouvez mettre à jour que les actions de votre organisation.
      </p>
      <p>
        <CsvLink href={roadmapUrls.actions(slug, { format: 'csv' })} label="Télécharger l’état actuel (modèle)" />
      </p>
      <Upload
        label="Fichier CSV"
        hint="900 Ko au plus"
        state={fileError ? 'error' : 'default'}
        stateRelatedMessage={fileError ?? undefined}
        nativeInputProps={{
          accept: '.csv,text/csv',
          onChange: async (e) => {
            m.reset();
            const file = e.target.files?.[0];
            if (!file) return setCsv(null);
            if (file.size > MAX) {
              setFileError('Fichier trop volumineux (900 Ko au plus).');
              return setCsv(null);
            }
            setFileError(null);
            setCsv(await file.text());
          },
        }}
      />
      <div style={{ display: 'flex', gap: '1rem' }} className="fr-my-3w">
        <Button priority="secondary" disabled={!csv || m.isPending} onClick={() => csv && m.mutate({ csv, dryRun: true })}>
          Vérifier sans appliquer
        </Button>
        <Button disabled={!csv || m.isPending} onClick={() => csv && m.mutate({ csv, dryRun: false })}>
          Appliquer
        </Button>
      </div>
      {err && lineErrors.length === 0 && <ErrorAlert error={err} />}
      {lineErrors.length > 0 && (
        <>
          <Alert
            severity="error"
            title="Fichier refusé : aucune ligne n’a été appliquée"
            description={`${lineErrors.length} erreur(s) à corriger.`}
            className="fr-mb-2w"
          />
          <div className="fr-table">
            <table>
              <caption>Erreurs par ligne</caption>
              <thead>
                <tr>
                  <th scope="col">Ligne</th>
                  <th scope="col">Colonne</th>
                  <th scope="col">Erreur</th>
                </tr>
              </thead>
              <tbody>
                {lineErrors.map((e, i) => (
                  <tr key={i}>
                    <td>{e.line}</td>
                    <td>{e.col}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {m.data && (
        <>
          <Alert
            severity={m.data.applied ? 'success' : 'info'}
            title={m.data.applied ? 'Mise à jour appliquée' : 'Vérification réussie : rien n’a encore été appliqué'}
            description={`${m.data.lines} ligne(s) : ${m.data.updated.length} action(s) ${m.data.applied ? 'mises à jour' : 'à mettre à jour'}, ${m.data.unchanged} sans changement.`}
            className="fr-mb-2w"
          />
          {m.data.updated.length > 0 && (
            <div className="fr-table">
              <table>
                <caption>Modifications {m.data.applied ? 'appliquées' : 'prévues'}</caption>
                <thead>
                  <tr>
                    <th scope="col">Ligne</th>
                    <th scope="col">Action</th>
                    <th scope="col">Changements</th>
                  </tr>
                </thead>
                <tbody>
                  {m.data.updated.map((u) => (
                    <tr key={u.line}>
                      <td>{u.line}</td>
                      <td>{u.code}</td>
                      <td>
                        {Object.entries(u.changes)
                          .map(([k, c]) => describeChange(k, c))
                          .join(' ; ') || 'note'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </RoadmapFrame>
  );
}
