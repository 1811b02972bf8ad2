import { useState } from 'react';
import { useParams, Link } from 'react-router';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Tabs } from '@codegouvfr/react-dsfr/Tabs';
import { gwApprovalLabels, gwVisibilityHints, gwVisibilityLabels } from '@patrimoine/contracts/gateway';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { gatewayUrls, useGatewayApi, useGatewayApps, useGatewayConsole, useSubscribe, type GwApiDetail } from './api';
import { OpenApiDocView } from './OpenApiDocView';
import { fmtPct, fmtDate, limitsText } from './format';
import { PageError, PageTitle } from '../../components/Page';
import { theme } from '../../components/theme';
/** How a visitor gets a key for this API, from where they stand (signed in or not, with applications or not). */
function HowToGetKey({ a }: { a: GwApiDetail }) {
  const { me } = useAuth();
  const back = encodeURIComponent(`/api-portail/${a.slug}`);
  return (
    <ol className="fr-mb-1w">
      {!me?.user && (
        <li>
          <Link to={`/connexion?retour=${back}`}>Connectez-vous</Link> (agents : ProConnect ou compte de la plateforme) ;
        </li>
      )}
      <li>
        créez une application dans <Link to="/api-portail/applications">Mes applications</Link> ;
      </li>
      <li>
        abonnez-la à cette API (section <a href="#s-abonner">« S’abonner »</a> ci-dessus
        {a.plans.some((p) => p.approval === 'manual') || a.visibility === 'restricted' ? ' ; le producteur valide la demande' : ''}) ;
      </li>
      <li>
        créez une clé d’API dans <Link to="/api-portail/applications">Mes applications</Link> et collez-la ici.
      </li>
    </ol>
  );
}

/** « Tester l'API »: sends a real request through the gateway with the visitor's key. */
function Console({ a }: { a: GwApiDetail }) {
  const slug = a.slug;
  const keyless = a.plans.find((p) => p.keyless);
  const [method, setMethod] = useState('GET');
  const [path, setPath] = useState('/');
  const [key, setKey] = useState('');
  const [body, setBody] = useState('');
  const [bearer, setBearer] = useState('');
  const fc = !!a.franceconnectScopes?.length;
  const call = useGatewayConsole(slug);
  const result = call.data;
  const error = call.error ? call.error.message : null;
  const send = () => call.mutate({ method, path, key, body, bearer: fc ? bearer : undefined });
  return (
    <form
      aria-label="Tester l'API"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-2">
          <Select label="Méthode" nativeSelectProps={{ value: method, onChange: (e) => setMethod(e.target.value) }}>
            {['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-5">
          <Input
            label="Chemin"
            hintText={`Après /gw/${slug}, avec les paramètres : /search?q=…`}
            nativeInputProps={{ value: path, onChange: (e) => setPath(e.target.value) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-5">
          <Input
            label="Votre clé d’API"
            hintText="Elle reste dans votre navigateur."
            nativeInputProps={{ value: key, onChange: (e) => setKey(e.target.value), type: 'password', autoComplete: 'off' }}
          />
        </div>
      </div>
      {fc && (
        <Input
          label="Jeton d’accès FranceConnect du citoyen"
          hintText={
            <>
              Envoyé en <code>Authorization: Bearer</code> ; voir le <Link to={`/api-portail/${slug}/franceconnect`}>guide des fournisseurs de service</Link>{' '}
              pour en obtenir un.
            </>
          }
          nativeInputProps={{ value: bearer, onChange: (e) => setBearer(e.target.value), autoComplete: 'off' }}
        />
      )}
      {method !== 'GET' && <Input label="Corps JSON" textArea nativeTextAreaProps={{ value: body, onChange: (e) => setBody(e.target.value), rows: 4 }} />}
      {!key &&
        (keyless ? (
          <p className="fr-text--sm">
            Cette API s’essaie sans clé (plan « {keyless.name} », {limitsText(keyless)}, par adresse IP) ; avec une clé, vous avez les limites de votre
            abonnement.
          </p>
        ) : (
          <div className="fr-callout fr-mb-2w">
            <p className="fr-callout__title">Vous n’avez pas encore de clé ?</p>
            <div className="fr-callout__text">
              Cette API demande une clé. Pour en obtenir une :
              <HowToGetKey a={a} />
            </div>
          </div>
        ))}
      <Button type="submit">Envoyer la requête</Button>
      {error && <Alert severity="error" small description={error} className="fr-mt-2w" />}
      {result && fc && key && result.status === 401 && (
        <Alert
          severity="warning"
          className="fr-mt-3w"
          title="Jeton FranceConnect refusé, ou clé d’API non reconnue"
          description={
            <>
              Le détail de la réponse ci-dessous dit lequel. <Link to={`/api-portail/${slug}/franceconnect`}>Guide des fournisseurs de service</Link>
            </>
          }
        />
      )}
      {result && !(fc && key && result.status === 401) && (result.status === 401 || result.status === 403) && (
        <Alert
          severity="warning"
          className="fr-mt-3w"
          title={result.status === 401 ? (key ? 'Clé d’API non reconnue' : 'Une clé d’API est nécessaire') : 'Cette clé n’a pas accès à cette API'}
          description={
            <>
              {result.status === 401
                ? key
                  ? 'La clé saisie n’est pas valable (révoquée, expirée ou mal copiée). '
                  : 'La passerelle refuse les appels sans clé pour cette API. '
                : 'L’application de cette clé n’est pas abonnée à cette API, ou son abonnement attend la validation du producteur. '}
              Pour obtenir une clé qui fonctionne :
              <HowToGetKey a={a} />
            </>
          }
        />
      )}
      {result && (
        <div className="fr-mt-3w" aria-live="polite">
          <p>
            Réponse : <strong data-testid="console-status">{result.status}</strong> en {result.ms} ms
          </p>
          {result.headers && <pre>{result.headers}</pre>}
          <pre data-testid="console-body" style={{ maxHeight: 400, overflow: 'auto', background: theme.raised, padding: '1rem' }}>
            {result.body}
          </pre>
        </div>
      )}
    </form>
  );
}

function Samples({ slug, franceconnect }: { slug: string; franceconnect: boolean }) {
  const url = `${window.location.origin}/gw/${slug}/`;
  if (franceconnect)
    return (
      <pre>{`curl -H "X-Api-Key: $CLE_API" \\
     -H "Authorization: Bearer $JETON_FRANCECONNECT_DU_CITOYEN" \\
     "${url}"`}</pre>
    );
  const curl = `curl -H "X-Api-Key: $CLE_API" "${url}"`;
  const js = `const res = await fetch("${url}", { headers: { "X-Api-Key": process.env.CLE_API } });\nconsole.log(res.status, await res.json());`;
  const py = `import os, requests\nr = requests.get("${url}", headers={"X-Api-Key": os.environ["CLE_API"]}, timeout=10)\nprint(r.status_code, r.json())`;
  const oauth = `curl -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials -d resource=${url.slice(0, -1)} ${window.location.origin}/oauth/token`;
  return (
    <Tabs
      label="Exemples de code"
      tabs={[
        { label: 'curl', content: <pre>{curl}</pre> },
        { label: 'JavaScript', content: <pre>{js}</pre> },
        { label: 'Python', content: <pre>{py}</pre> },
        { label: 'OAuth2', content: <pre>{oauth}</pre> },
      ]}
    />
  );
}

function Subscribe({ a }: { a: GwApiDetail }) {
  const { me } = useAuth();
  const apps = useGatewayApps(!!me?.user);
  const plans = a.plans.filter((p) => !p.keyless);
  const [appId, setAppId] = useState('');
  const [planId, setPlanId] = useState('');
  const [reason, setReason] = useState('');
  const m = useSubscribe();
  if (!me?.user)
    return (
      <p>
        <Link to={`/connexion?retour=${encodeURIComponent(`/api-portail/${a.slug}`)}`}>Connectez-vous</Link> pour abonner une application à cette API et obtenir
        une clé.
      </p>
    );
  if (!plans.length) return <p>Cette API s’utilise sans abonnement.</p>;
  if (!apps.data) return <p>Chargement de vos applications…</p>;
  if (apps.data.length === 0)
    return (
      <p>
        Créez d’abord une application dans <Link to="/api-portail/applications">Mes applications</Link>.
      </p>
    );
  const err = m.error instanceof ApiError ? m.error : null;
  return (
    <form
      aria-label="S’abonner"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ appId: appId || apps.data[0]?.id || '', planId: planId || plans[0]?.id || '', reason });
      }}
    >
      {m.data && (
        <Alert
          severity="success"
          small
          description={
            m.data.state === 'active' ? 'Abonnement actif : utilisez une clé de cette application.' : 'Demande envoyée : le producteur va l’examiner.'
          }
          className="fr-mb-2w"
        />
      )}
      <ErrorAlert error={err?.errors.length ? null : m.error} />
      <Select label="Application" nativeSelectProps={{ value: appId, onChange: (e) => setAppId(e.target.value) }}>
        {apps.data.map((x) => (
          <option key={x.id} value={x.id}>
            {x.name}
          </option>
        ))}
      </Select>
      <Select
        label="Plan"
        state={err?.fieldMessage('planId') ? 'error' : 'default'}
        stateRelatedMessage={err?.fieldMessage('planId')}
        nativeSelectProps={{ value: planId, onChange: (e) => setPlanId(e.target.value) }}
      >
        {plans.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name} — {limitsText(p)}
            {p.approval === 'manual' ? ` (${gwApprovalLabels.manual})` : ''}
          </option>
        ))}
      </Select>
      {(a.visibility === 'restricted' || plans.some((p) => p.approval === 'manual')) && (
        <Input
          label="Motif de la demande"
          state={err?.fieldMessage('reason') ? 'error' : 'default'}
          stateRelatedMessage={err?.fieldMessage('reason')}
          textArea
          nativeTextAreaProps={{ value: reason, onChange: (e) => setReason(e.target.value) }}
        />
      )}
      <Button type="submit" disabled={m.isPending}>
        {a.visibility === 'restricted' ? 'Demander l’accès' : 'S’abonner'}
      </Button>
    </form>
  );
}

export function ApiPage() {
  const { slug = '' } = useParams();
  const q = useGatewayApi(slug);
  if (q.error) return <PageError error={q.error} />;
  if (!q.data) return <p>Chargement…</p>;
  const a = q.data;
  return (
    <>
      <p>
        <Link to="/api-portail">← Portail des API</Link>
      </p>
      <PageTitle>{a.name}</PageTitle>
      <p className="fr-text--lead">{a.description}</p>
      <ul>
        <li>Producteur : {a.organisationName || a.organisationCode}</li>
        {a.audience && <li>Pour qui : {a.audience}</li>}
        <li>
          Accès : {gwVisibilityLabels[a.visibility]} ({gwVisibilityHints[a.visibility]})
        </li>
        <li>Disponibilité : {fmtPct(a.availability)} sur le dernier mois</li>
        {a.plans.map((p) => (
          <li key={p.id}>
            Limite : {limitsText(p)} {a.plans.length > 1 ? `(plan ${p.name}${p.keyless ? ', sans clé' : ''})` : p.keyless ? '(sans clé, par adresse IP)' : ''}
          </li>
        ))}
        <li>
          Adresse : <code>/gw/{a.slug}/</code>
        </li>
        {a.catalogAsset && (
          <li>
            Fiche dans le catalogue : <Link to={`/catalogue/${a.catalogAsset.kind}/${a.catalogAsset.slug}`}>{a.catalogAsset.title}</Link>
          </li>
        )}
      </ul>
      {a.incidents.length > 0 && (
        <details className="fr-mb-3w">
          <summary>Incidents récents ({a.incidents.length})</summary>
          <ul>
            {a.incidents.map((i) => (
              <li key={i.start}>
                {fmtDate(i.start)} → {i.end ? fmtDate(i.end) : 'en cours'} : {i.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      {!!a.franceconnectScopes?.length && (
        <div className="fr-callout fr-mb-3w">
          <h2 className="fr-callout__title">API FranceConnectée</h2>
          <p className="fr-callout__text">
            Elle répond pour un citoyen connecté avec FranceConnect : chaque appel porte votre clé d’API et le jeton d’accès FranceConnect du citoyen, qui doit
            porter les scopes <code>{a.franceconnectScopes.join(' ')}</code>.{' '}
            <Link to={`/api-portail/${a.slug}/franceconnect`}>Guide des fournisseurs de service : parcours, scopes, exemples de requêtes</Link>
          </p>
        </div>
      )}
      <h2 id="s-abonner">S’abonner</h2>
      <Subscribe a={a} />
      <h2 className="fr-mt-4w">Tester l’API</h2>
      <Console a={a} />
      <h2 className="fr-mt-4w">Exemples de code</h2>
      <Samples slug={a.slug} franceconnect={!!a.franceconnectScopes?.length} />
      <h2 className="fr-mt-4w">Documentation</h2>
      <OpenApiDocView slug={a.slug} />
      {a.specVersions.length > 0 && (
        <p>
          Document OpenAPI (JSON) :{' '}
          {a.specVersions.map((v, i) => (
            <span key={v.version}>
              {i > 0 && ', '}
              <a href={gatewayUrls.spec(a.slug, v.version)} title={`Déposée le ${fmtDate(v.createdAt)} par ${v.createdBy}`}>
                version {v.version}
                {i === 0 ? ' (actuelle)' : ''}
              </a>
            </span>
          ))}
        </p>
      )}
      {a.canManage && (
        <p>
          Référencement sur api.gouv.fr :{' '}
          <a className="fr-link fr-icon-download-line fr-link--icon-left" href={gatewayUrls.apiGouvPage(a.slug)} download>
            télécharger la fiche api.gouv.fr de l’API ({a.slug}.md)
          </a>
          , à proposer par une demande de fusion sur le dépôt betagouv/api.gouv.fr (dossier <code>_data/api</code>).
        </p>
      )}
    </>
  );
}
