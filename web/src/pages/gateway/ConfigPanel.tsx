import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { api, ApiError } from '../../api/client';

/** Declarative configuration in the admin UI: the same YAML as `patrimoine gateway apply|export`. */
export function ConfigPanel() {
  const current = useQuery({ queryKey: ['gw-config'], queryFn: () => api<string>('/api/gateway/config') });
  const [yaml, setYaml] = useState<string | null>(null);
  const text = yaml ?? current.data ?? '';
  const run = useMutation({
    mutationFn: (dryRun: boolean) => api<{ text: string; applied: boolean }>('/api/gateway/config', { method: 'POST', body: { yaml: text, dryRun } }),
  });
  const err = run.error instanceof ApiError ? run.error : null;
  return (
    <section aria-label="Configuration déclarative" className="fr-mt-6w">
      <h2>Configuration déclarative</h2>
      <p>
        Le même format YAML que <code>patrimoine gateway apply</code> : API, plans, applications, abonnements et clés (valeurs lues dans les variables
        d’environnement du serveur). L’application est idempotente et se fait en bloc : tout ou rien.
      </p>
      <Input
        label="Configuration (YAML)"
        textArea
        state={err ? 'error' : 'default'}
        stateRelatedMessage={err ? (err.errors.length ? err.errors.map((e) => `${e.field} : ${e.message}`).join(' ; ') : err.detail) : undefined}
        nativeTextAreaProps={{ value: text, onChange: (e) => setYaml(e.target.value), rows: 14, spellCheck: false, style: { fontFamily: 'monospace' } }}
      />
      <Button priority="secondary" onClick={() => run.mutate(true)} disabled={run.isPending}>
        Prévisualiser les changements
      </Button>{' '}
      <Button onClick={() => run.mutate(false)} disabled={run.isPending}>
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
