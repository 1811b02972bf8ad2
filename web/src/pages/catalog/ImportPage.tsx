import { useState } from 'react';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { ApiError } from '../../api/client';
import { useOrganisations } from '../../api/organisations';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useImportCatalog, useImportDatagouv } from './api';
import { PageTitle } from '../../components/Page';
import { plural } from '../../components/plural';

/** Bulk import (with a preview of the changes) and export of the whole catalogue. */
export function ImportPage() {
  const [content, setContent] = useState<string | null>(null);
  const [fileName, setFileName] = useState('');
  // A file refused before sending (too large); otherwise the import's own error.
  const [fileError, setFileError] = useState<Error | null>(null);
  const imp = useImportCatalog();
  const run = (dryRun: boolean) => {
    if (content) imp.mutate({ content, dryRun });
  };
  const error = fileError ?? imp.error;
  const result = fileError ? undefined : imp.data;
  const apiErr = error instanceof ApiError ? error : null;
  return (
    <>
      <PageTitle>Importer et exporter le catalogue</PageTitle>
      <h2 className="fr-h4">Exporter</h2>
      <p>Tout le catalogue dans un fichier réimportable (ordre stable, sans identifiants techniques).</p>
      {/* In a DSFR button group, the icon position is the group's (without it the buttons shrink to their icon). */}
      <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--icon-left">
        <li>
          <a className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left" href="/api/catalog/export?format=yaml">
            Exporter en YAML
          </a>
        </li>
        <li>
          <a className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left" href="/api/catalog/export?format=json">
            Exporter en JSON
          </a>
        </li>
        <li>
          <a className="fr-btn fr-btn--tertiary fr-icon-download-line fr-btn--icon-left" href="/api/catalog/assets?format=csv">
            Liste des actifs en CSV
          </a>
        </li>
      </ul>
      <h2 className="fr-h4">Importer</h2>
      <p>
        Un fichier YAML ou JSON (<code>version</code>, <code>assets</code>, <code>relations</code>). L’import est tout ou rien : au moindre problème, rien n’est
        modifié et chaque erreur est signalée avec sa ligne. Les actifs absents du fichier sont conservés.
      </p>
      <Upload
        label="Fichier du catalogue"
        hint="YAML ou JSON, 5 Mo au plus"
        nativeInputProps={{
          accept: '.yaml,.yml,.json',
          onChange: async (e) => {
            const f = e.target.files?.[0];
            imp.reset();
            setFileError(null);
            if (!f) return;
            if (f.size > 5_000_000) {
              setFileError(new Error('Fichier trop volumineux (5 Mo au plus).'));
              return;
            }
            setFileName(f.name);
            setContent(await f.text());
          },
        }}
      />
      <ul className="fr-btns-group fr-btns-group--inline fr-mt-2w">
        <li>
          <Button priority="secondary" disabled={!content} onClick={() => run(true)}>
            Prévisualiser les changements
          </Button>
        </li>
        <li>
          <Button disabled={!content} onClick={() => run(false)}>
            Importer {fileName}
          </Button>
        </li>
      </ul>
      <ErrorAlert error={error} title="Import refusé" />
      {apiErr && apiErr.errors.length > 0 && (
        <ul data-testid="import-errors">
          {apiErr.errors.map((e, i) => (
            <li key={i}>
              <code>{e.field}</code> — {e.message}
            </li>
          ))}
        </ul>
      )}
      {result && (
        <>
          <Alert
            severity={result.dryRun ? 'info' : 'success'}
            title={result.dryRun ? 'Simulation : rien n’a été modifié' : 'Import terminé'}
            description={`${plural(result.summary.created, 'actif créé')}, ${plural(result.summary.updated, 'modifié')}, ${plural(result.summary.unchanged, 'inchangé')} ; ${plural(result.summary.relationsCreated, 'relation créée')}.`}
            className="fr-mb-2w"
          />
          <pre style={{ whiteSpace: 'pre-wrap', background: 'var(--background-alt-grey)', padding: '1rem' }}>{result.diff}</pre>
        </>
      )}
      <DatagouvImport />
    </>
  );
}

/** Datasets of a data.gouv.fr organisation export, matched by data.gouv.fr id. */
function DatagouvImport() {
  const { me } = useAuth();
  const orgs = useOrganisations();
  const [owner, setOwner] = useState(me?.user?.organisationCode ?? '');
  const [content, setContent] = useState<string | null>(null);
  const imp = useImportDatagouv();
  const run = (dryRun: boolean) => {
    if (content) imp.mutate({ content, owner, dryRun });
  };
  const error = imp.error;
  const result = imp.data;
  const apiErr = error instanceof ApiError ? error : null;
  return (
    <section className="fr-mt-6w" aria-labelledby="datagouv-title">
      <h2 id="datagouv-title" className="fr-h4">
        Importer les jeux publiés sur data.gouv.fr
      </h2>
      <p>
        Le JSON de <code>https://www.data.gouv.fr/api/1/organizations/&lt;organisation&gt;/datasets/</code>. Les jeux déjà présents sont reconnus par leur
        identifiant data.gouv.fr et mis à jour ; les autres sont créés.
      </p>
      <Select
        label="Organisation propriétaire des nouveaux jeux"
        state={apiErr?.fieldMessage('owner') ? 'error' : undefined}
        stateRelatedMessage={apiErr?.fieldMessage('owner')}
        nativeSelectProps={{ value: owner, onChange: (e) => setOwner(e.target.value) }}
      >
        <option value="">Choisir</option>
        {orgs.data?.map((o) => (
          <option key={o.code} value={o.code}>
            {o.code} — {o.name}
          </option>
        ))}
      </Select>
      <Upload
        label="Export data.gouv.fr (JSON)"
        hint="20 Mo au plus"
        nativeInputProps={{ accept: '.json,application/json', onChange: async (e) => setContent((await e.target.files?.[0]?.text()) ?? null) }}
      />
      <ul className="fr-btns-group fr-btns-group--inline fr-mt-2w">
        <li>
          <Button priority="secondary" disabled={!content} onClick={() => run(true)}>
            Prévisualiser l’import data.gouv.fr
          </Button>
        </li>
        <li>
          <Button disabled={!content} onClick={() => run(false)}>
            Importer depuis data.gouv.fr
          </Button>
        </li>
      </ul>
      <ErrorAlert error={error} title="Import refusé" />
      {apiErr && apiErr.errors.length > 0 && (
        <ul>
          {apiErr.errors.map((e, i) => (
            <li key={i}>
              <code>{e.field}</code> — {e.message}
            </li>
          ))}
        </ul>
      )}
      {result && <pre style={{ whiteSpace: 'pre-wrap', background: 'var(--background-alt-grey)', padding: '1rem' }}>{result.diff}</pre>}
    </section>
  );
}
