import { useState } from 'react';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { Link } from 'react-router';
import { gwSubscriptionStateLabels, gwVisibilities, gwVisibilityHints, gwVisibilityLabels, type GwVisibility } from '@patrimoine/contracts/gateway';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import {
  useCreateGatewayApi,
  useDecideGatewaySubscription,
  useGatewayApiSubscriptions,
  useGatewayApis,
  useGatewayIdentityKey,
  usePutGatewaySpec,
  useUpdateFranceConnectScopes,
  useUpdateGatewayPlan,
  type GwApi,
  type Plan,
} from './api';
import { limitsText, upperFirst } from './format';
import { UsageView } from './UsageView';
import { ConfigPanel } from './ConfigPanel';
import { PageError, PageTitle } from '../../components/Page';
import { FormErrors } from '../../components/FormErrors';

const field = (err: ApiError | null, name: string) => ({
  state: (err?.fieldMessage(name) ? 'error' : 'default') as 'error' | 'default',
  stateRelatedMessage: err?.fieldMessage(name),
});

function CreateApi() {
  const { me } = useAuth();
  const [f, setF] = useState({ slug: '', name: '', description: '', audience: '', upstreamUrl: '', visibility: 'public' as GwVisibility, perSecond: '20' });
  const m = useCreateGatewayApi();
  const err = m.error instanceof ApiError ? m.error : null;
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  return (
    <form
      aria-label="Publier une API"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({
          api: {
            slug: f.slug,
            name: f.name,
            description: f.description,
            audience: f.audience,
            upstreamUrl: f.upstreamUrl,
            visibility: f.visibility,
            organisationCode: me?.user?.organisationCode ?? undefined,
          },
          perSecond: f.perSecond ? Number(f.perSecond) : null,
        });
      }}
    >
      <h2>Publier une API</h2>
      {m.isSuccess && <Alert severity="success" small description={`API « ${f.name} » publiée sur /gw/${f.slug}/.`} className="fr-mb-2w" />}
      <ErrorAlert error={err?.errors.length ? null : m.error} />
      <Input
        label="Identifiant (URL)"
        hintText="lettres minuscules, chiffres et tirets"
        {...field(err, 'slug')}
        nativeInputProps={{ value: f.slug, onChange: set('slug') }}
      />
      <Input label="Nom" {...field(err, 'name')} nativeInputProps={{ value: f.name, onChange: set('name') }} />
      <Input label="Description" textArea {...field(err, 'description')} nativeTextAreaProps={{ value: f.description, onChange: set('description') }} />
      <Input label="Pour qui" {...field(err, 'audience')} nativeInputProps={{ value: f.audience, onChange: set('audience') }} />
      <Input
        label="URL de l’amont"
        hintText="https://… (les adresses privées et de métadonnées sont refusées)"
        {...field(err, 'upstreamUrl')}
        nativeInputProps={{ value: f.upstreamUrl, onChange: set('upstreamUrl') }}
      />
      <Select label="Accès" nativeSelectProps={{ value: f.visibility, onChange: set('visibility') }}>
        {gwVisibilities.map((v) => (
          <option key={v} value={v}>
            {upperFirst(gwVisibilityLabels[v])} ({gwVisibilityHints[v]})
          </option>
        ))}
      </Select>
      <Input
        label="Limite (appels par seconde)"
        {...field(err, 'perSecond')}
        nativeInputProps={{ value: f.perSecond, onChange: set('perSecond'), inputMode: 'numeric' }}
      />
      <Button type="submit" disabled={m.isPending}>
        Publier
      </Button>
    </form>
  );
}

function PlanEditor({ plan }: { plan: Plan }) {
  const [v, setV] = useState({
    perSecond: String(plan.perSecond ?? ''),
    perMinute: String(plan.perMinute ?? ''),
    perDay: String(plan.perDay ?? ''),
    perMonth: String(plan.perMonth ?? ''),
  });
  const num = (s: string) => (s.trim() === '' ? null : Number(s));
  const m = useUpdateGatewayPlan(plan.id);
  const err = m.error instanceof ApiError ? m.error : null;
  const labels = { perSecond: 'Par seconde', perMinute: 'Par minute', perDay: 'Quota par jour', perMonth: 'Quota par mois' } as const;
  return (
    <form
      aria-label={`Limites du plan ${plan.name}`}
      className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ perSecond: num(v.perSecond), perMinute: num(v.perMinute), perDay: num(v.perDay), perMonth: num(v.perMonth) });
      }}
    >
      {(Object.keys(labels) as (keyof typeof labels)[]).map((k) => (
        <div key={k} className="fr-col-6 fr-col-md-2">
          <Input
            label={labels[k]}
            {...field(err, k)}
            nativeInputProps={{ value: v[k], onChange: (e) => setV({ ...v, [k]: e.target.value }), inputMode: 'numeric' }}
          />
        </div>
      ))}
      <div className="fr-col-12 fr-col-md-4">
        <Button type="submit" priority="secondary" disabled={m.isPending}>
          Enregistrer les limites de « {plan.name} »
        </Button>
        {m.isSuccess && <p className="fr-message fr-message--valid">Limites enregistrées.</p>}
      </div>
    </form>
  );
}

function SpecUpload({ a }: { a: GwApi }) {
  const [text, setText] = useState('');
  const m = usePutGatewaySpec(a);
  const err = m.error instanceof ApiError ? m.error : null;
  return (
    <form
      aria-label={`Documentation OpenAPI de ${a.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate(text);
      }}
    >
      <Input
        label="Document OpenAPI (JSON)"
        hintText={`Version actuelle : ${a.specVersion || 'aucune'}. Chaque dépôt crée une nouvelle version.`}
        textArea
        state={err ? 'error' : 'default'}
        stateRelatedMessage={err?.errors.map((x) => `${x.field} : ${x.message}`).join(' ; ') || err?.detail}
        nativeTextAreaProps={{ value: text, onChange: (e) => setText(e.target.value), rows: 6 }}
      />
      <Button type="submit" priority="secondary" disabled={m.isPending}>
        Déposer la documentation
      </Button>
      {m.data && <p className="fr-message fr-message--valid">Version {m.data.version} enregistrée.</p>}
    </form>
  );
}

/**
 * The consent scopes of an API behind FranceConnect (ADR 0012), declared by its managers: the citizen's
 * FranceConnect token must carry all of them. Empty: the API is not behind FranceConnect.
 */
function FranceConnectScopes({ a }: { a: GwApi }) {
  const [text, setText] = useState((a.franceconnectScopes ?? []).join(' '));
  const m = useUpdateFranceConnectScopes(a.id);
  const err = m.error instanceof ApiError ? m.error : null;
  const message = err?.errors.find((e) => e.field.includes('franceconnectScopes'))?.message;
  return (
    <form
      aria-label={`Scopes FranceConnect de ${a.name}`}
      className="fr-my-2w"
      onSubmit={(e) => {
        e.preventDefault();
        const scopes = text.split(/[\s,]+/).filter(Boolean);
        m.mutate(scopes.length ? scopes : null);
      }}
    >
      <FormErrors error={m.error} />
      <Input
        label="Scopes FranceConnect exigés"
        hintText={
          <>
            Séparés par des espaces (ex. <code>openid identite_pivot droit_a_conduire</code>) : le jeton FranceConnect du citoyen doit les porter tous. Vide :
            l’API n’est pas FranceConnectée.
          </>
        }
        state={message ? 'error' : 'default'}
        stateRelatedMessage={message}
        nativeInputProps={{ value: text, onChange: (e) => setText(e.target.value), name: 'franceconnectScopes' }}
      />
      <Button type="submit" priority="secondary" disabled={m.isPending}>
        Enregistrer les scopes FranceConnect
      </Button>
      {m.isSuccess && (
        <p className="fr-message fr-message--valid">
          {m.data.franceconnectScopes ? `API FranceConnectée : ${m.data.franceconnectScopes.join(' ')}.` : 'L’API n’est plus FranceConnectée.'}
        </p>
      )}
    </form>
  );
}

/** The key with which the upstream verifies the consumer identity header (reading it is audited). */
function IdentityKey({ a }: { a: GwApi }) {
  const m = useGatewayIdentityKey(a.id);
  return (
    <div className="fr-my-2w">
      <Button size="small" priority="tertiary" onClick={() => m.mutate()} disabled={m.isPending}>
        Afficher la clé de vérification de l’identité des consommateurs
      </Button>
      {m.data && (
        <p className="fr-mt-1w">
          En-tête <code>X-Gateway-Signature</code> = {m.data.format} ; clé (base64) : <code style={{ wordBreak: 'break-all' }}>{m.data.key}</code>
        </p>
      )}
      <ErrorAlert error={m.error} />
    </div>
  );
}

function Requests({ a }: { a: GwApi }) {
  const q = useGatewayApiSubscriptions(a.id);
  const decide = useDecideGatewaySubscription(a.id);
  if (q.error) return <PageError error={q.error} />;
  if (!q.data?.length) return <p>Aucun abonné pour l’instant.</p>;
  return (
    <>
      <ErrorAlert error={decide.error} />
      <Table
        headers={['Application', 'Organisation', 'Plan', 'Motif', 'État', '']}
        data={q.data.map((s) => [
          s.application.name,
          s.application.organisationCode ?? '—',
          s.plan,
          s.reason,
          upperFirst(gwSubscriptionStateLabels[s.state]),
          s.state === 'pending' ? (
            <span key="d">
              <Button size="small" onClick={() => decide.mutate({ id: s.id, decision: 'approve' })}>
                Accepter
              </Button>{' '}
              <Button size="small" priority="secondary" onClick={() => decide.mutate({ id: s.id, decision: 'reject' })}>
                Refuser
              </Button>
            </span>
          ) : s.state === 'active' ? (
            <Button key="r" size="small" priority="tertiary" onClick={() => decide.mutate({ id: s.id, decision: 'revoke' })}>
              Révoquer
            </Button>
          ) : (
            ''
          ),
        ])}
      />
    </>
  );
}

/** Producers: their APIs, plans (limits and quotas), OpenAPI document, subscription requests, usage. */
export function ProducerPage() {
  const { hasRole } = useAuth();
  const q = useGatewayApis();
  const mine = (q.data ?? []).filter((a) => a.canManage);
  return (
    <>
      <PageTitle>Espace producteur d’API</PageTitle>
      {!hasRole('admin', 'data_admin') && (
        <Alert severity="info" small description="Seuls les administrateurs de données publient et gèrent des API." className="fr-mb-3w" />
      )}
      <ErrorAlert error={q.error} />
      {mine.map((a) => (
        <section key={a.id} className="fr-mb-6w" aria-label={a.name}>
          <h2>
            <Link to={`/api-portail/${a.slug}`}>{a.name}</Link>
          </h2>
          {a.lastProbe && !a.lastProbe.ok && (
            <Alert
              severity="error"
              small
              className="fr-mb-2w"
              description={`Amont en échec à la dernière sonde (${new Date(a.lastProbe.at).toLocaleString('fr-FR')}) : ${a.lastProbe.reason ?? 'échec'}. Les appels par la passerelle répondent 502 tant qu’il ne répond pas.`}
            />
          )}
          <p>
            Amont :{' '}
            {a.upstreamUrl?.startsWith('platform:/') ? (
              <>
                la plateforme elle-même (<code>{a.upstreamUrl.slice('platform:'.length)}</code>, suit sa configuration)
              </>
            ) : (
              <code>{a.upstreamUrl}</code>
            )}
            {!!a.upstreamUrls?.length && (
              <>
                {' '}
                (et{' '}
                {a.upstreamUrls.map((u) => (
                  <code key={u}>{u} </code>
                ))}
                , en alternance)
              </>
            )}{' '}
            — {a.plans.map((p) => `${p.name} : ${limitsText(p)}`).join(' ; ')}
          </p>
          {a.plans.map((p) => (
            <PlanEditor key={p.id} plan={p} />
          ))}
          <SpecUpload a={a} />
          <FranceConnectScopes a={a} />
          <IdentityKey a={a} />
          <h3 className="fr-mt-4w">Abonnements et demandes d’accès</h3>
          <Requests a={a} />
          <UsageView apiId={a.id} />
        </section>
      ))}
      {hasRole('admin', 'data_admin') && <CreateApi />}
      {hasRole('admin') && <ConfigPanel />}
    </>
  );
}
