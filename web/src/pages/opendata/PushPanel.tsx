import { useEffect, useState } from 'react';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useDatagouvPush, useRefreshCommunity, useRequestPush, useSetDatagouvAccount, type DatasetPage } from './api';
import { dateFr } from './DatasetPages';

const stateLabels = { queued: 'En attente', running: 'En cours', succeeded: 'Réussi', failed: 'Échec' } as const;

function AccountForm({ organisationId }: { organisationId: string }) {
  const m = useSetDatagouvAccount(organisationId);
  const [target, setTarget] = useState('https://www.data.gouv.fr');
  const [org, setOrg] = useState('');
  const [key, setKey] = useState('');
  const err = m.error instanceof ApiError ? m.error : null;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ target, udataOrganization: org, apiKey: key }, { onSuccess: () => setKey('') });
      }}
    >
      <h3>Compte data.gouv.fr de l’organisation</h3>
      <Input
        label="Adresse du portail"
        state={err?.fieldMessage('target') ? 'error' : undefined}
        stateRelatedMessage={err?.fieldMessage('target')}
        nativeInputProps={{ value: target, onChange: (e) => setTarget(e.target.value) }}
      />
      <Input
        label="Identifiant de l’organisation sur data.gouv.fr"
        state={err?.fieldMessage('udataOrganization') ? 'error' : undefined}
        stateRelatedMessage={err?.fieldMessage('udataOrganization')}
        nativeInputProps={{ value: org, onChange: (e) => setOrg(e.target.value) }}
      />
      <Input
        label="Clé d’API"
        hintText="Conservée chiffrée ; elle n’est plus jamais affichée."
        state={err?.fieldMessage('apiKey') ? 'error' : undefined}
        stateRelatedMessage={err?.fieldMessage('apiKey')}
        nativeInputProps={{ value: key, onChange: (e) => setKey(e.target.value), type: 'password', autoComplete: 'off' }}
      />
      <Button type="submit" priority="secondary" disabled={m.isPending}>
        Enregistrer le compte
      </Button>
      {m.data && <Alert severity="success" small description={`Compte enregistré (clé ${m.data.apiKeyHint}).`} />}
      {m.error && !err?.errors.length && <ErrorAlert error={m.error} />}
    </form>
  );
}

/** Push of the dataset's published files to data.gouv.fr (editors), and the organisation's account (data_admin). */
export function PushPanel({ d }: { d: DatasetPage }) {
  const status = useDatagouvPush(d.slug, d.canEdit);
  const push = useRequestPush(d.slug);
  const s = status.data;
  const refresh = useRefreshCommunity(d.slug);
  // A push that succeeded has imported the reuses and discussions, and makes the import possible.
  const done = s?.state === 'succeeded' ? s.updatedAt : null;
  useEffect(() => {
    if (done) void refresh();
  }, [done]);
  return (
    <section className="fr-mt-4w" aria-labelledby="datagouv">
      <h2 id="datagouv">Publication sur data.gouv.fr</h2>
      {s ? (
        <p>
          {`Dernier envoi : ${stateLabels[s.state]} (${dateFr(s.updatedAt)}, demandé par ${s.requestedBy})`}
          {s.page && (
            <>
              {' — '}
              <a href={s.page} target="_blank" rel="noreferrer">
                voir sur data.gouv.fr
              </a>
            </>
          )}
        </p>
      ) : (
        <p>Ce jeu de données n’a jamais été envoyé sur data.gouv.fr.</p>
      )}
      {s?.error && <Alert severity="error" small description={s.error} />}
      <Button onClick={() => push.mutate()} disabled={push.isPending || s?.state === 'queued' || s?.state === 'running'}>
        Envoyer sur data.gouv.fr
      </Button>
      {push.error && <ErrorAlert error={push.error} />}
      {d.canWaive && d.producer.organisationId && <AccountForm organisationId={d.producer.organisationId} />}
    </section>
  );
}
