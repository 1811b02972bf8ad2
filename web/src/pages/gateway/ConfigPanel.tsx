import { useState } from 'react';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useApplyGatewayConfig, useGatewayConfig } from './api';

/** Declarative configuration in the admin UI: the same YAML as `patrimoine gateway apply|export`. */
export function ConfigPanel() {
  const current = useGatewayConfig();
  const [yaml, setYaml] = useState<string | null>(null);
  const text = yaml ?? current.data ?? '';
  const run = useApplyGatewayConfig();
  const err = run.error instanceof ApiError ? run.error : null;
  return (
    <section aria-label="Configuration déclarative" className="fr-mt-6w">
      <h2>Configuration déclarative</h2>
      <p>
        Le même format YAML que <code>patrimoine gateway apply</code> : API, plans, applications, abonnements et clés (valeurs lues dans les variables
        d’environnement du serveur). L’application est idempotente et se fait en bloc : tout ou rien.
      </p>
      <ErrorAlert error={current.error} />
      <Input
        label="Configuration (YAML)"
        textArea
        state={err ? 'error' : 'default'}
        stateRelatedMessage={err ? (err.errors.length ? err.errors.map((e) => `${e.field} : ${e.message}`).join(' ; ') : err.detail) : undefined}
        nativeTextAreaProps={{ value: text, onChange: (e) => setYaml(e.target.value), rows: 14, spellCheck: false, style: { fontFamily: 'monospace' } }}
      />
      <Button priority="secondary" onClick={() => run.mutate({ yaml: text, dryRun: true })} disabled={run.isPending}>
        Prévisualiser les changements
      </Button>{' '}
      <Button onClick={() => run.mutate({ yaml: text, dryRun: false })} disabled={run.isPending}>
        Appliquer
      </Button>
      {run.data && (
        <Alert
          className="fr-mt-2w"
          severity={run.data.applied ? 'success' : 'info'}
          title={run.data.applied ? 'Configuration appliquée' : 'Changements prévus (rien n’est encore appliqué)'}
          description={<pre data-testid="config-diff">{run.data.text || 'Aucun changement.'}</pre>}
        />
      )}
    </section>
  );
}
