import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Table } from '@codegouvfr/react-dsfr/Table';
import {
  blockKinds,
  blockLabels,
  definitionRoleLabels,
  definitionRoles,
  eligibilityAnswerLabels,
  eligibilityAnswers,
  eventNameLabels,
  webhookEvents,
} from '@patrimoine/contracts/habilitations';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageError, PageTitle } from '../../components/Page';
import {
  useAddTemplate,
  useCreateWebhook,
  useDefinition,
  useDeleteTemplate,
  useGrantRole,
  useReplayAttempt,
  useRevokeRole,
  useRoles,
  useSaveDefinition,
  useSetWebhookEnabled,
  useTemplates,
  useWebhookAttempts,
  useWebhooks,
  type Definition,
  type RoleAssignment,
} from './api';

const fieldMsg = (e: unknown, field: string) => (e instanceof ApiError ? e.fieldMessage(field) : undefined);
const state = (msg: string | undefined) => (msg ? { state: 'error' as const, stateRelatedMessage: msg } : {});
const fmt = (d: string | null | undefined) => (d ? new Date(d).toLocaleString('fr-FR') : '');

/** `/habilitations/:id/gestion`: what the definition's managers edit (definition, roles, templates, webhooks). */
export function ManagePage() {
  const { id = '' } = useParams();
  const d = useDefinition(id);
  if (d.error) return <PageError error={d.error} />;
  if (!d.data) return <p>Chargement…</p>;
  const def = d.data;
  if (!def.myRoles.includes('manager'))
    return <Alert severity="error" title="Accès refusé" description="Seuls les gestionnaires de ce type d’habilitation accèdent à sa gestion." small={false} />;
  return (
    <>
      <PageTitle parents={[{ label: def.name, to: `/habilitations/${def.id}` }]}>Gestion — {def.name}</PageTitle>
      <p>
        <Link to={`/habilitations/${def.id}`}>Page publique du type d’habilitation</Link>
      </p>
      <DefinitionEditor key={def.id} def={def} />
      <Roles definitionId={def.id} />
      <Templates definitionId={def.id} />
      <Webhooks definitionId={def.id} />
    </>
  );
}

type ScopeRow = Definition['scopes'][number];
type RuleRow = Definition['eligibility'][number];

function DefinitionEditor({ def }: { def: Definition }) {
  const save = useSaveDefinition(def.id);
  const [name, setName] = useState(def.name);
  const [description, setDescription] = useState(def.description);
  const [cguUrl, setCguUrl] = useState(def.cguUrl ?? '');
  const [validity, setValidity] = useState(def.validityMonths === null ? '' : String(def.validityMonths));
  const [isPublic, setPublic] = useState(def.public);
  const [blocks, setBlocks] = useState<string[]>(def.blocks);
  const [scopes, setScopes] = useState<ScopeRow[]>(def.scopes);
  const [rules, setRules] = useState<RuleRow[]>(def.eligibility);
  const err = save.error;
  const setScope = (i: number, p: Partial<ScopeRow>) => setScopes((xs) => xs.map((x, j) => (j === i ? { ...x, ...p } : x)));
  const setRule = (i: number, p: Partial<RuleRow>) => setRules((xs) => xs.map((x, j) => (j === i ? { ...x, ...p } : x)));
  const submit = () =>
    save.mutate({
      name,
      description,
      providerCode: def.providerCode,
      cguUrl: cguUrl.trim() || null,
      apiSlug: def.apiSlug,
      planSlug: def.planSlug,
      catalogAssetSlug: def.catalogAssetSlug,
      credentialKind: def.credentialKind,
      // A number the server bounds (1–120 months); a typo comes back as an error on the field.
      validityMonths: validity.trim() === '' ? null : Number(validity),
      public: isPublic,
      blocks: blockKinds.filter((b) => blocks.includes(b)),
      scopes,
      eligibility: rules,
    });
  return (
    <section aria-label="Définition" className="fr-mb-6w">
      <h2>Définition</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Input label="Nom" nativeInputProps={{ name: 'def-name', value: name, onChange: (e) => setName(e.target.value) }} {...state(fieldMsg(err, 'name'))} />
        <Input
          label="Description"
          textArea
          nativeTextAreaProps={{ name: 'def-description', value: description, onChange: (e) => setDescription(e.target.value), rows: 3 }}
          {...state(fieldMsg(err, 'description'))}
        />
        <Input
          label="Lien vers les conditions générales d’utilisation"
          nativeInputProps={{ name: 'def-cgu', value: cguUrl, onChange: (e) => setCguUrl(e.target.value) }}
          {...state(fieldMsg(err, 'cguUrl'))}
        />
        <Input
          label="Durée de validité des habilitations (mois)"
          hintText="Vide : sans échéance. Avec une échéance, rappels à J-30 et J-7."
          nativeInputProps={{ name: 'def-validity', inputMode: 'numeric', value: validity, onChange: (e) => setValidity(e.target.value) }}
          {...state(fieldMsg(err, 'validityMonths'))}
        />
        <Checkbox
          options={[{ label: 'Visible de tous (page publique)', nativeInputProps: { checked: isPublic, onChange: (e) => setPublic(e.target.checked) } }]}
        />
        <Checkbox
          legend="Étapes du formulaire"
          {...state(fieldMsg(err, 'blocks'))}
          options={blockKinds.map((b) => ({
            label: blockLabels[b],
            nativeInputProps: {
              name: `block-${b}`,
              checked: blocks.includes(b),
              onChange: (e) => setBlocks((xs) => (e.target.checked ? [...xs, b] : xs.filter((x) => x !== b))),
            },
          }))}
        />
        <h3 className="fr-h6">Données (périmètres)</h3>
        {scopes.map((s, i) => (
          <fieldset key={i} className="fr-fieldset" aria-label={`Donnée ${i + 1}`}>
            <div className="fr-fieldset__element fr-col-12 fr-col-md-3">
              <Input
                label="Valeur"
                nativeInputProps={{ name: `scope-${i}-value`, value: s.value, onChange: (e) => setScope(i, { value: e.target.value }) }}
                {...state(fieldMsg(err, `scopes.${i}.value`))}
              />
            </div>
            <div className="fr-fieldset__element fr-col-12 fr-col-md-4">
              <Input
                label="Libellé"
                nativeInputProps={{ name: `scope-${i}-label`, value: s.label, onChange: (e) => setScope(i, { label: e.target.value }) }}
                {...state(fieldMsg(err, `scopes.${i}.label`))}
              />
            </div>
            <div className="fr-fieldset__element fr-col-12 fr-col-md-3">
              <Input label="Groupe" nativeInputProps={{ name: `scope-${i}-group`, value: s.group, onChange: (e) => setScope(i, { group: e.target.value }) }} />
            </div>
            <div className="fr-fieldset__element fr-col-12 fr-col-md-2">
              <Checkbox
                small
                options={[
                  { label: 'Sensible', nativeInputProps: { checked: s.sensitive, onChange: (e) => setScope(i, { sensitive: e.target.checked }) } },
                  { label: 'Toujours accordée', nativeInputProps: { checked: s.included, onChange: (e) => setScope(i, { included: e.target.checked }) } },
                ]}
              />
              <Button type="button" priority="tertiary" size="small" onClick={() => setScopes((xs) => xs.filter((_, j) => j !== i))}>
                Retirer la donnée {s.value || i + 1}
              </Button>
            </div>
          </fieldset>
        ))}
        <Button
          type="button"
          priority="secondary"
          size="small"
          className="fr-mb-3w"
          onClick={() => setScopes((xs) => [...xs, { value: '', label: '', group: '', sensitive: false, included: false }])}
        >
          Ajouter une donnée
        </Button>
        <h3 className="fr-h6">Éligibilité (« qui êtes-vous ? »)</h3>
        {rules.map((r, i) => (
          <fieldset key={i} className="fr-fieldset" aria-label={`Règle ${i + 1}`}>
            <div className="fr-fieldset__element fr-col-12 fr-col-md-4">
              <Input
                label="Qui"
                nativeInputProps={{ name: `rule-${i}-who`, value: r.who, onChange: (e) => setRule(i, { who: e.target.value }) }}
                {...state(fieldMsg(err, `eligibility.${i}.who`))}
              />
            </div>
            <div className="fr-fieldset__element fr-col-12 fr-col-md-3">
              <Select
                label="Réponse"
                nativeSelectProps={{ name: `rule-${i}-answer`, value: r.answer, onChange: (e) => setRule(i, { answer: e.target.value as RuleRow['answer'] }) }}
              >
                {eligibilityAnswers.map((a) => (
                  <option key={a} value={a}>
                    {eligibilityAnswerLabels[a]}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-fieldset__element fr-col-12 fr-col-md-4">
              <Input
                label="Condition ou raison"
                nativeInputProps={{ name: `rule-${i}-detail`, value: r.detail, onChange: (e) => setRule(i, { detail: e.target.value }) }}
              />
            </div>
            <div className="fr-fieldset__element fr-col-12 fr-col-md-1">
              <Button type="button" priority="tertiary" size="small" onClick={() => setRules((xs) => xs.filter((_, j) => j !== i))}>
                Retirer la règle {i + 1}
              </Button>
            </div>
          </fieldset>
        ))}
        <Button
          type="button"
          priority="secondary"
          size="small"
          className="fr-mb-3w"
          onClick={() => setRules((xs) => [...xs, { who: '', answer: 'yes', detail: '' }])}
        >
          Ajouter une règle
        </Button>
        <ErrorAlert error={err} title="La définition n’est pas enregistrée" />
        {save.isSuccess && !save.isPending && <Alert severity="success" small description="Définition enregistrée." className="fr-mb-2w" />}
        <div>
          <Button type="submit" disabled={save.isPending}>
            Enregistrer la définition
          </Button>
        </div>
      </form>
    </section>
  );
}

function Roles({ definitionId }: { definitionId: string }) {
  const roles = useRoles(definitionId);
  const grant = useGrantRole(definitionId);
  const revoke = useRevokeRole(definitionId);
  const [login, setLogin] = useState('');
  const [role, setRole] = useState<RoleAssignment['role']>('instructor');
  return (
    <section aria-label="Rôles" className="fr-mb-6w">
      <h2>Rôles</h2>
      <p>Les instructeurs décident, les rapporteurs lisent et commentent, les gestionnaires gèrent la définition, les rôles, les modèles et les webhooks.</p>
      <ErrorAlert error={roles.error ?? revoke.error} />
      {roles.data && roles.data.length === 0 && <p>Aucun rôle attribué.</p>}
      {roles.data && roles.data.length > 0 && (
        <Table
          headers={['Agent', 'Identifiant', 'Rôle', '']}
          data={roles.data.map((r) => [
            r.displayName,
            r.login,
            definitionRoleLabels[r.role],
            <Button key="x" priority="tertiary" size="small" disabled={revoke.isPending} onClick={() => revoke.mutate({ userId: r.userId, role: r.role })}>
              Retirer le rôle {definitionRoleLabels[r.role].toLowerCase()} de {r.login}
            </Button>,
          ])}
        />
      )}
      <form
        className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom"
        onSubmit={(e) => {
          e.preventDefault();
          grant.mutate({ login: login.trim(), role }, { onSuccess: () => setLogin('') });
        }}
      >
        <div className="fr-col-12 fr-col-md-5">
          <Input
            label="Identifiant de l’agent"
            nativeInputProps={{ name: 'role-login', value: login, onChange: (e) => setLogin(e.target.value), required: true }}
            {...state(fieldMsg(grant.error, 'login'))}
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Rôle" nativeSelectProps={{ name: 'role-role', value: role, onChange: (e) => setRole(e.target.value as RoleAssignment['role']) }}>
            {definitionRoles.map((r) => (
              <option key={r} value={r}>
                {definitionRoleLabels[r]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-3 fr-mb-3w">
          <Button type="submit" disabled={grant.isPending}>
            Attribuer le rôle
          </Button>
        </div>
      </form>
      {grant.error && !fieldMsg(grant.error, 'login') ? <ErrorAlert error={grant.error} /> : null}
    </section>
  );
}

function Templates({ definitionId }: { definitionId: string }) {
  const list = useTemplates(definitionId, true);
  const add = useAddTemplate(definitionId);
  const del = useDeleteTemplate(definitionId);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  return (
    <section aria-label="Modèles de message" className="fr-mb-6w">
      <h2>Modèles de message</h2>
      <p>Les instructeurs les reprennent en un clic dans leurs messages et leurs demandes de modification.</p>
      <ErrorAlert error={list.error ?? del.error} />
      {list.data && list.data.length === 0 && <p>Aucun modèle.</p>}
      {list.data && list.data.length > 0 && (
        <Table
          headers={['Titre', 'Texte', '']}
          data={list.data.map((t) => [
            t.title,
            <span key="b" style={{ whiteSpace: 'pre-wrap' }}>
              {t.body}
            </span>,
            <Button key="x" priority="tertiary" size="small" disabled={del.isPending} onClick={() => del.mutate(t.id)}>
              Supprimer le modèle « {t.title} »
            </Button>,
          ])}
        />
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate(
            { title: title.trim(), body },
            {
              onSuccess: () => {
                setTitle('');
                setBody('');
              },
            },
          );
        }}
      >
        <Input
          label="Titre du modèle"
          nativeInputProps={{ name: 'template-title', value: title, onChange: (e) => setTitle(e.target.value), required: true, maxLength: 200 }}
          {...state(fieldMsg(add.error, 'title'))}
        />
        <Input
          label="Texte du modèle"
          textArea
          nativeTextAreaProps={{ name: 'template-body', value: body, onChange: (e) => setBody(e.target.value), required: true, rows: 4 }}
          {...state(fieldMsg(add.error, 'body'))}
        />
        <ErrorAlert error={add.error} title="Le modèle n’est pas enregistré" />
        <Button type="submit" disabled={add.isPending}>
          Ajouter le modèle
        </Button>
      </form>
    </section>
  );
}

function Webhooks({ definitionId }: { definitionId: string }) {
  const all = useWebhooks();
  const create = useCreateWebhook();
  const setEnabled = useSetWebhookEnabled();
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [events, setEvents] = useState<string[]>(['submit', 'approve', 'refuse', 'revoke']);
  const [open, setOpen] = useState<string | null>(null);
  const hooks = (all.data ?? []).filter((w) => w.definitionId === definitionId);
  const test = create.data?.test;
  return (
    <section aria-label="Webhooks" className="fr-mb-6w">
      <h2>Webhooks</h2>
      <p>
        Chaque événement choisi est envoyé au format de DataPass, signé (en-tête <code>X-Hub-Signature-256</code>), relancé avec des délais croissants en cas
        d’échec ; après 5 échecs consécutifs le webhook est désactivé et son créateur prévenu par courriel.
      </p>
      <ErrorAlert error={all.error ?? setEnabled.error} />
      {all.data && hooks.length === 0 && <p>Aucun webhook.</p>}
      {hooks.length > 0 && (
        <Table
          headers={['Adresse', 'Événements', 'État', 'Échecs consécutifs', 'Créé le', '']}
          data={hooks.map((w) => [
            w.url,
            w.events.map((e) => eventNameLabels[e]).join(', '),
            w.enabled ? (
              <Badge key="s" severity="success" small>
                Actif
              </Badge>
            ) : (
              <Badge key="s" severity="error" small>
                Désactivé
              </Badge>
            ),
            String(w.consecutiveFailures),
            fmt(w.createdAt),
            <span key="a">
              <Button priority="tertiary" size="small" onClick={() => setOpen(open === w.id ? null : w.id)}>
                {open === w.id ? 'Masquer les appels' : 'Voir les appels'}
              </Button>{' '}
              <Button priority="tertiary" size="small" disabled={setEnabled.isPending} onClick={() => setEnabled.mutate({ id: w.id, enabled: !w.enabled })}>
                {w.enabled ? 'Désactiver' : 'Réactiver'}
              </Button>
            </span>,
          ])}
        />
      )}
      {open && hooks.some((w) => w.id === open) && <Attempts webhookId={open} />}
      <h3 className="fr-h6">Nouveau webhook</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(
            { definitionId, url: url.trim(), secret, events },
            {
              onSuccess: () => {
                setUrl('');
                setSecret('');
              },
            },
          );
        }}
      >
        <Input
          label="Adresse de réception (https)"
          nativeInputProps={{ name: 'webhook-url', value: url, onChange: (e) => setUrl(e.target.value), required: true }}
          {...state(fieldMsg(create.error, 'url'))}
        />
        <Input
          label="Secret partagé (au moins 16 caractères)"
          hintText="Sert à signer chaque envoi (HMAC-SHA256) ; il n’est plus affiché ensuite."
          nativeInputProps={{
            name: 'webhook-secret',
            type: 'password',
            autoComplete: 'new-password',
            value: secret,
            onChange: (e) => setSecret(e.target.value),
            required: true,
          }}
          {...state(fieldMsg(create.error, 'secret'))}
        />
        <Checkbox
          legend="Événements envoyés"
          {...state(fieldMsg(create.error, 'events'))}
          options={webhookEvents.map((ev) => ({
            label: eventNameLabels[ev],
            nativeInputProps: {
              name: `webhook-event-${ev}`,
              checked: events.includes(ev),
              onChange: (e) => setEvents((xs) => (e.target.checked ? [...xs, ev] : xs.filter((x) => x !== ev))),
            },
          }))}
        />
        <ErrorAlert error={create.error} title="Le webhook n’est pas créé" />
        {test && (
          <Alert
            className="fr-mb-2w"
            small
            severity={test.ok ? 'success' : 'warning'}
            description={
              test.ok
                ? `Message de test accepté (HTTP ${test.statusCode}) : le webhook est actif.`
                : `Le message de test a été refusé (${test.statusCode ? `HTTP ${test.statusCode}` : 'sans réponse'}) : le webhook est créé mais désactivé ; corrigez le point de réception puis réactivez-le.`
            }
          />
        )}
        <Button type="submit" disabled={create.isPending}>
          Créer le webhook et envoyer le message de test
        </Button>
      </form>
    </section>
  );
}

function Attempts({ webhookId }: { webhookId: string }) {
  const q = useWebhookAttempts(webhookId);
  const replay = useReplayAttempt(webhookId);
  return (
    <div aria-label="Appels du webhook" className="fr-mb-3w">
      <h3 className="fr-h6">Appels</h3>
      <ErrorAlert error={q.error ?? replay.error} />
      {replay.isSuccess && <Alert severity="info" small description="Renvoi programmé : il apparaît ici dès qu’il est fait." className="fr-mb-2w" />}
      {q.data && q.data.length === 0 && <p>Aucun appel.</p>}
      {q.data && q.data.length > 0 && (
        <Table
          headers={['Date', 'Événement', 'Essai', 'Réponse', 'Corps de la réponse', '']}
          data={q.data.map((a) => [
            fmt(a.created_at),
            a.event === 'test' ? 'Message de test' : (eventNameLabels[a.event as keyof typeof eventNameLabels] ?? a.event),
            String(a.attempt),
            a.status_code === null ? 'sans réponse' : `HTTP ${a.status_code}`,
            (a.response_body ?? '').slice(0, 200),
            a.event === 'test' ? (
              ''
            ) : (
              <Button key="r" priority="tertiary" size="small" disabled={replay.isPending} onClick={() => replay.mutate(a.id)}>
                Renvoyer
              </Button>
            ),
          ])}
        />
      )}
    </div>
  );
}
