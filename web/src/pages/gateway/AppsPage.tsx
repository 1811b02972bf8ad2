import { useState } from 'react';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { Link } from 'react-router';
import { gwAuthMethodLabels, gwSubscriptionStateLabels } from '@patrimoine/contracts/gateway';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useAppCredentials, useCreateGatewayApp, useGatewayApp, useGatewayApps } from './api';
import { fmtDate, limitsText, quotaText, upperFirst } from './format';
import { UsageView } from './UsageView';
import { PageTitle } from '../../components/Page';

function AppDetail({ id }: { id: string }) {
  const q = useGatewayApp(id);
  const [shown, setShown] = useState<{ title: string; value: string } | null>(null);
  const { createKey, rotateKey: rotate, revokeKey: revoke, createClient } = useAppCredentials(id);
  if (q.error) return <ErrorAlert error={q.error} />;
  if (!q.data) return <p>Chargement…</p>;
  const a = q.data;
  const active = a.subscriptions.find((s) => s.state === 'active');
  return (
    <section aria-label={`Application ${a.name}`} className="fr-mt-4w">
      <h2>{a.name}</h2>
      {shown && (
        <Alert
          severity="success"
          title={shown.title}
          description={
            <code data-testid="new-secret" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
              {shown.value}
            </code>
          }
          closable
          onClose={() => setShown(null)}
          className="fr-mb-3w"
        />
      )}
      <ErrorAlert error={createKey.error ?? rotate.error ?? revoke.error ?? createClient.error} />
      <h3>Abonnements</h3>
      {a.subscriptions.length === 0 ? (
        <p>
          Aucun abonnement : choisissez une API dans le <Link to="/api-portail">portail</Link>.
        </p>
      ) : (
        <Table
          headers={['API', 'Plan', 'Limites', 'Quota utilisé', 'État']}
          data={a.subscriptions.map((s) => [
            <Link key="l" to={`/api-portail/${s.api.slug}`}>
              {s.api.name}
            </Link>,
            s.plan?.name ?? '',
            s.plan ? limitsText(s.plan) : '',
            quotaText(s.plan, s.quotaUse),
            upperFirst(gwSubscriptionStateLabels[s.state]),
          ])}
        />
      )}
      <h3>Clés d’API</h3>
      <Button
        onClick={() =>
          createKey.mutate(undefined, { onSuccess: (r) => setShown({ title: 'Clé créée — copiez-la maintenant, elle ne sera plus affichée', value: r.key }) })
        }
        disabled={createKey.isPending}
      >
        Créer une clé
      </Button>
      {a.keys.length > 0 && (
        <Table
          headers={['Préfixe', 'Créée le', 'Expire le', 'Dernière utilisation', 'État', '']}
          data={a.keys.map((k) => {
            const expired = k.expiresAt && new Date(k.expiresAt) < new Date();
            return [
              <code key="p">{k.prefix}…</code>,
              fmtDate(k.createdAt),
              fmtDate(k.expiresAt),
              fmtDate(k.lastUsedAt),
              k.revokedAt ? 'Révoquée' : expired ? 'Expirée' : 'Active',
              k.revokedAt || expired ? (
                ''
              ) : (
                <span key="a">
                  <Button
                    size="small"
                    priority="secondary"
                    onClick={() =>
                      rotate.mutate(k.id, {
                        onSuccess: (r) => setShown({ title: `Nouvelle clé — l’ancienne reste valable jusqu’au ${fmtDate(r.previousExpiresAt)}`, value: r.key }),
                      })
                    }
                  >
                    Renouveler
                  </Button>{' '}
                  <Button size="small" priority="tertiary" onClick={() => revoke.mutate(k.id)}>
                    Révoquer
                  </Button>
                </span>
              ),
            ];
          })}
        />
      )}
      <h3>Clients OAuth2</h3>
      <Button
        priority="secondary"
        onClick={() =>
          createClient.mutate(undefined, {
            onSuccess: (r) =>
              setShown({ title: 'Client OAuth2 créé — copiez le secret maintenant', value: `client_id=${r.clientId}\nclient_secret=${r.clientSecret ?? ''}` }),
          })
        }
        disabled={createClient.isPending}
      >
        Créer un client OAuth2
      </Button>
      {a.clients.length > 0 && (
        <Table
          headers={['client_id', 'Méthode', 'Créé le', 'État']}
          data={a.clients.map((c) => [
            <code key="c">{c.clientId}</code>,
            gwAuthMethodLabels[c.authMethod],
            fmtDate(c.createdAt),
            c.revokedAt ? 'Révoqué' : 'Actif',
          ])}
        />
      )}
      <UsageView
        applicationId={a.id}
        limits={active?.plan ? limitsText(active.plan) : undefined}
        quota={active?.plan && (active.plan.perDay || active.plan.perMonth) ? quotaText(active.plan, active.quotaUse) : undefined}
      />
    </section>
  );
}

/** « Mes applications »: the visitor's applications, their keys, OAuth2 clients, subscriptions and usage. */
export function AppsPage() {
  const q = useGatewayApps();
  const [name, setName] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const create = useCreateGatewayApp();
  const err = create.error instanceof ApiError ? create.error : null;
  const current = selected ?? q.data?.[0]?.id ?? null;
  return (
    <>
      <PageTitle>Mes applications</PageTitle>
      <p>Une application regroupe vos clés d’API et vos clients OAuth2 ; elle s’abonne aux API du portail.</p>
      <form
        aria-label="Créer une application"
        className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(name, {
            onSuccess: (a) => {
              setName('');
              setSelected(a.id);
            },
          });
        }}
      >
        <div className="fr-col-12 fr-col-md-6">
          <Input
            label="Nom de l’application"
            state={err?.fieldMessage('name') ? 'error' : 'default'}
            stateRelatedMessage={err?.fieldMessage('name')}
            nativeInputProps={{ value: name, onChange: (e) => setName(e.target.value) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Button type="submit" disabled={create.isPending}>
            Créer l’application
          </Button>
        </div>
      </form>
      <ErrorAlert error={err?.errors.length ? null : create.error} />
      <ErrorAlert error={q.error} />
      {q.data && q.data.length > 1 && (
        <nav aria-label="Applications">
          <ul className="fr-tags-group">
            {q.data.map((a) => (
              <li key={a.id}>
                <button type="button" className="fr-tag" aria-pressed={a.id === current} onClick={() => setSelected(a.id)}>
                  {a.name}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {current && <AppDetail key={current} id={current} />}
    </>
  );
}
