import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Tabs } from '@codegouvfr/react-dsfr/Tabs';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormErrors } from '../../components/FormErrors';
import { PageError, PageTitle } from '../../components/Page';
import { theme } from '../../components/theme';
import {
  useFranceConnectDemo,
  useGatewayApi,
  useGatewayApiSpec,
  useGatewayConsole,
  useIssueFranceConnectDemoToken,
  type FcDemoInfo,
  type GwApiDetail,
} from './api';

/** What the FranceConnect scopes the portal knows give (FranceConnect's list; the API's own scopes as they are). */
const SCOPE_LABELS: Record<string, string> = {
  openid: 'obligatoire en OpenID Connect',
  identite_pivot: 'identité pivot : prénoms, nom de naissance, date, lieu et pays de naissance, sexe',
  given_name: 'prénoms',
  family_name: 'nom de naissance',
  birthdate: 'date de naissance',
  gender: 'sexe',
  birthplace: 'lieu de naissance (code INSEE)',
  birthcountry: 'pays de naissance (code INSEE)',
  email: 'adresse électronique',
  droit_a_conduire: 'droit à conduire (statut du permis et solde de points), donnée de ce fournisseur',
};

/** The local FranceConnect of the demo: a synthetic citizen's token, then a real call through the gateway. */
function DemoProvider({ a, demo, firstPath }: { a: GwApiDetail; demo: FcDemoInfo; firstPath: string }) {
  const { me } = useAuth();
  const need = a.franceconnectScopes ?? [];
  const [citizen, setCitizen] = useState(demo.citizens[0]?.id ?? '');
  const [scopes, setScopes] = useState<string[]>(need.filter((s) => demo.scopes.includes(s)));
  const [expiresIn, setExpiresIn] = useState('60');
  const issue = useIssueFranceConnectDemoToken();
  const [key, setKey] = useState('');
  const [path, setPath] = useState(firstPath);
  const call = useGatewayConsole(a.slug);
  const token = issue.data?.accessToken ?? '';
  const toggle = (s: string) => setScopes(scopes.includes(s) ? scopes.filter((x) => x !== s) : [...scopes, s]);
  return (
    <>
      <p>
        Cette plateforme fait aussi tourner un <strong>fournisseur FranceConnect de démonstration</strong> : il délivre des jetons d’accès pour des citoyens
        fictifs et répond au contrat « checktoken » de FranceConnect, que la passerelle interroge comme elle interrogerait FranceConnect (
        <code>{demo.checktokenUrl}</code>). La délivrance d’un jeton remplace ici la connexion du citoyen à FranceConnect et l’échange du code d’autorisation
        par le fournisseur de service.
      </p>
      {!me?.user ? (
        <p>
          <Link to={`/connexion?retour=${encodeURIComponent(`/api-portail/${a.slug}/franceconnect`)}`}>Connectez-vous</Link> pour obtenir un jeton de
          démonstration.
        </p>
      ) : (
        <form
          aria-label="Obtenir un jeton FranceConnect de démonstration"
          onSubmit={(e) => {
            e.preventDefault();
            issue.mutate({ citizen, scopes, expiresIn: Number(expiresIn) });
          }}
        >
          <FormErrors error={issue.error} />
          <Select label="Citoyen fictif" nativeSelectProps={{ value: citizen, onChange: (e) => setCitizen(e.target.value), name: 'citizen' }}>
            {demo.citizens.map((c) => (
              <option key={c.id} value={c.id}>
                {c.given_name} {c.family_name}, né(e) le {new Date(c.birthdate).toLocaleDateString('fr-FR')}
              </option>
            ))}
          </Select>
          <Checkbox
            legend="Scopes auxquels le citoyen consent"
            hintText="Décochez un scope exigé par l’API pour voir le refus de la passerelle."
            small
            options={demo.scopes.map((s) => ({
              label: (
                <>
                  <code>{s}</code>
                  {need.includes(s) ? ' (exigé par l’API)' : ''}
                </>
              ),
              nativeInputProps: { checked: scopes.includes(s), onChange: () => toggle(s), name: 'scopes', value: s },
            }))}
          />
          <Select label="Validité du jeton" nativeSelectProps={{ value: expiresIn, onChange: (e) => setExpiresIn(e.target.value), name: 'expiresIn' }}>
            <option value="60">60 secondes (comme FranceConnect)</option>
            <option value="600">10 minutes</option>
            <option value="5">5 secondes (pour voir le refus d’un jeton expiré)</option>
          </Select>
          <Button type="submit" disabled={issue.isPending}>
            Obtenir un jeton de démonstration
          </Button>
        </form>
      )}
      {issue.data && (
        <Alert
          severity="success"
          className="fr-mt-2w"
          title={`Jeton de ${issue.data.citizen.given_name} ${issue.data.citizen.family_name}, valable ${issue.data.expiresIn < 60 ? `${issue.data.expiresIn} secondes` : `${Math.round(issue.data.expiresIn / 60)} minute(s)`}`}
          description={
            <>
              Scopes : {issue.data.scopes.join(' ')}. Jeton d’accès :{' '}
              <code data-testid="fc-demo-token" style={{ wordBreak: 'break-all' }}>
                {token}
              </code>
            </>
          }
        />
      )}
      {issue.data && (
        <form
          aria-label="Appeler l’API pour ce citoyen"
          className="fr-mt-3w"
          onSubmit={(e) => {
            e.preventDefault();
            call.mutate({ method: 'GET', path, key, body: '', bearer: token });
          }}
        >
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-6">
              <Input
                label="Votre clé d’API"
                hintText={
                  <>
                    Clé d’une application abonnée à l’API (<Link to={`/api-portail/${a.slug}`}>page de l’API</Link>, « S’abonner »). Elle reste dans votre
                    navigateur.
                  </>
                }
                nativeInputProps={{ value: key, onChange: (e) => setKey(e.target.value), type: 'password', autoComplete: 'off' }}
              />
            </div>
            <div className="fr-col-12 fr-col-md-6">
              <Input label="Chemin" hintText={`Après /gw/${a.slug}`} nativeInputProps={{ value: path, onChange: (e) => setPath(e.target.value) }} />
            </div>
          </div>
          <Button type="submit" disabled={call.isPending}>
            Appeler l’API avec la clé et le jeton du citoyen
          </Button>
          {call.error && <Alert severity="error" small description={call.error.message} className="fr-mt-2w" />}
          {call.data && (
            <div className="fr-mt-3w" aria-live="polite">
              <p>
                Réponse : <strong data-testid="fc-console-status">{call.data.status}</strong>
              </p>
              <pre data-testid="fc-console-body" style={{ maxHeight: 400, overflow: 'auto', background: theme.raised, padding: '1rem' }}>
                {call.data.body}
              </pre>
            </div>
          )}
        </form>
      )}
    </>
  );
}

function Examples({ a, firstPath }: { a: GwApiDetail; firstPath: string }) {
  const url = `${window.location.origin}/gw/${a.slug}${firstPath}`;
  const scope = (a.franceconnectScopes ?? []).join(' ');
  const authorize = [
    'https://fcp.integ01.dev-franceconnect.fr/api/v1/authorize',
    '?response_type=code',
    '&client_id=<votre client_id FranceConnect>',
    '&redirect_uri=<votre URL de retour>',
    `&scope=${encodeURIComponent(scope)}`,
    '&state=<aléa de 32 caractères au moins>',
    '&nonce=<aléa de 32 caractères au moins>',
    '&acr_values=eidas1',
  ].join('\n  ');
  const token = `curl -X POST https://fcp.integ01.dev-franceconnect.fr/api/v1/token \\
  -d grant_type=authorization_code -d code="$CODE" -d redirect_uri="$URL_DE_RETOUR" \\
  -d client_id="$FC_CLIENT_ID" -d client_secret="$FC_CLIENT_SECRET"
# → { "access_token": "…", "id_token": "…", "expires_in": 60, … }`;
  const curl = `curl -H "X-Api-Key: $CLE_API" \\
     -H "Authorization: Bearer $JETON_FRANCECONNECT" \\
     "${url}"`;
  const js = `const res = await fetch("${url}", {
  headers: { "X-Api-Key": process.env.CLE_API, Authorization: \`Bearer \${jetonFranceConnect}\` },
});
if (res.status === 401) console.log(res.headers.get("www-authenticate"), await res.json()); // jeton expiré, inconnu ou sans les scopes
else console.log(res.status, await res.json());`;
  const refused = `HTTP/1.1 401 Unauthorized
WWW-Authenticate: Bearer realm="franceconnect", error="invalid_token"
Content-Type: application/problem+json

{ "title": "Jeton FranceConnect refusé", "status": 401,
  "detail": "Le citoyen n’a pas consenti aux données demandées : scope(s) manquant(s) droit_a_conduire." }`;
  return (
    <Tabs
      label="Exemples de requêtes"
      tabs={[
        { label: '1. Autorisation', content: <pre>{`GET ${authorize}`}</pre> },
        { label: '2. Jeton', content: <pre>{token}</pre> },
        { label: '3. Appel (curl)', content: <pre>{curl}</pre> },
        { label: '3. Appel (JavaScript)', content: <pre>{js}</pre> },
        { label: 'Refus', content: <pre>{refused}</pre> },
      ]}
    />
  );
}

/** For service providers: how to call an API behind FranceConnect for a citizen (ADR 0012). */
export function FranceConnectGuidePage() {
  const { slug = '' } = useParams();
  const q = useGatewayApi(slug);
  const demo = useFranceConnectDemo();
  const spec = useGatewayApiSpec(slug);
  // An example path: the first one of the API's OpenAPI document (its parameters left as they are written).
  const firstPath = Object.keys(spec.data?.paths ?? {})[0] ?? '/';
  if (q.error) return <PageError error={q.error} />;
  if (!q.data) return <p>Chargement…</p>;
  const a = q.data;
  const scopes = a.franceconnectScopes ?? [];
  return (
    <>
      <PageTitle parents={[{ label: a.name, to: `/api-portail/${a.slug}` }]}>Appeler l’API pour un citoyen connecté avec FranceConnect</PageTitle>
      <p className="fr-text--lead">
        Guide des fournisseurs de service : l’API « {a.name} » répond pour le citoyen qui s’est connecté à votre service avec FranceConnect, et pour lui seul.
      </p>
      {!scopes.length && (
        <Alert severity="info" small className="fr-mb-3w" description="Cette API n’est pas FranceConnectée : une clé d’API suffit pour l’appeler." />
      )}
      <h2>Le parcours</h2>
      <ol>
        <li>
          Votre service est inscrit comme <strong>fournisseur de service</strong> auprès de FranceConnect (espace partenaires), avec les scopes de l’API
          ci-dessous ; votre application est abonnée à l’API sur ce portail et a une <strong>clé d’API</strong> (
          <Link to={`/api-portail/${a.slug}`}>page de l’API</Link>, « S’abonner », puis <Link to="/api-portail/applications">Mes applications</Link>).
        </li>
        <li>
          Le citoyen se connecte avec FranceConnect depuis votre service : vous demandez ces scopes à l’autorisation, FranceConnect lui demande son consentement
          et vous renvoie un code.
        </li>
        <li>
          Votre serveur échange ce code contre un <strong>jeton d’accès</strong> (point « token » de FranceConnect). Le jeton est court (60 s chez
          FranceConnect) : appelez l’API aussitôt.
        </li>
        <li>
          Votre serveur appelle la passerelle avec <code>X-Api-Key</code> (votre clé) et <code>Authorization: Bearer</code> (le jeton du citoyen), jamais depuis
          le navigateur du citoyen.
        </li>
        <li>
          La passerelle vérifie le jeton auprès de FranceConnect (« checktoken »), exige les scopes de l’API, puis transmet à l’amont l’identité pivot du
          citoyen dans l’en-tête d’identité signé : l’amont répond pour ce citoyen.
        </li>
      </ol>
      <h2>Scopes exigés</h2>
      {scopes.length ? (
        <ul data-testid="fc-scopes">
          {scopes.map((s) => (
            <li key={s}>
              <code>{s}</code>
              {SCOPE_LABELS[s] ? ` : ${SCOPE_LABELS[s]}` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p>Aucun.</p>
      )}
      <p>
        Demandez-les tous à l’autorisation (<code>scope={scopes.join(' ')}</code>) : sans le consentement du citoyen à l’un d’eux, la passerelle refuse l’appel.
      </p>
      <h2>Réponses de la passerelle</h2>
      <ul>
        <li>
          <strong>200</strong> : les données du citoyen du jeton ;
        </li>
        <li>
          <strong>401</strong> (<code>WWW-Authenticate: Bearer realm="franceconnect"</code>) : jeton absent, inconnu, expiré, falsifié, ou sans l’un des scopes
          exigés (le détail les nomme) ; 401 aussi sans clé d’API valable ;
        </li>
        <li>
          <strong>403</strong> : votre application n’a pas d’abonnement actif à l’API ; <strong>429</strong> : limite de votre plan atteinte ;
        </li>
        <li>
          <strong>503</strong> : FranceConnect ne répond pas, le jeton ne peut pas être vérifié (réessayez).
        </li>
      </ul>
      <h2>Exemples de requêtes</h2>
      <Examples a={a} firstPath={firstPath} />
      <h2 className="fr-mt-4w">Essayer avec le FranceConnect de démonstration</h2>
      <ErrorAlert error={demo.error} />
      {demo.data?.enabled ? (
        <DemoProvider key={firstPath} a={a} demo={demo.data} firstPath={firstPath} />
      ) : (
        <p>
          Le fournisseur FranceConnect de démonstration ne fonctionne pas sur cette plateforme (il n’est disponible qu’en démonstration et en développement).
        </p>
      )}
    </>
  );
}
