import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Stepper } from '@codegouvfr/react-dsfr/Stepper';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { blockLabels, habilitationStateLabels, requestStateLabels, transitionLabels, type Transition } from '@patrimoine/contracts/habilitations';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import {
  habUrls,
  usePostMessage,
  useRequest,
  useSaveRequest,
  useTemplates,
  useTransition,
  useUploadDocument,
  type RequestDetail,
  type TransitionResult,
  useHabilitationUsage,
} from './api';
import { PageError, PageTitle } from '../../components/Page';

type Field = RequestDetail['definition']['fields'][number];
const fmt = (d: string | null) => (d ? new Date(d).toLocaleString('fr-FR') : '');
const show = (v: unknown) =>
  v === null || v === undefined || v === '' ? '—' : Array.isArray(v) ? v.join(', ') : typeof v === 'boolean' ? (v ? 'oui' : 'non') : String(v);

/** The form, step by step (one block a step), saved as the applicant types (autosave). */
function RequestForm({ r }: { r: RequestDetail }) {
  const blocks = r.definition.blocks;
  const [step, setStep] = useState(0);
  const [data, setData] = useState<Record<string, unknown>>(r.data);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useSaveRequest(r.id);
  const upload = useUploadDocument(r.id);
  const submit = useTransition(r.id);
  const version = useRef(r.version);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const err = (save.error ?? submit.error) as ApiError | null;

  function change(key: string, value: unknown) {
    const next = { ...data, [key]: value };
    setData(next);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => flush(next), 800);
  }
  const chain = useRef<Promise<boolean>>(Promise.resolve(true));
  const lastSaved = useRef(JSON.stringify(r.data));
  /** Saves now; saves are chained (each with the version the previous one returned) and skipped when nothing changed. */
  function flush(d = data): Promise<boolean> {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const clean = Object.fromEntries(Object.entries(d).filter(([, v]) => v !== '' && v !== undefined));
    const run = chain.current.then(async () => {
      const body = JSON.stringify(clean);
      if (body === lastSaved.current) return true;
      try {
        const s = await save.mutateAsync({ data: clean, version: version.current });
        version.current = s.version;
        lastSaved.current = body;
        setSaved(new Date().toLocaleTimeString('fr-FR'));
        return true;
      } catch {
        // Shown next to the fields (save.error).
        return false;
      }
    });
    chain.current = run;
    return run;
  }
  const fields = r.definition.fields.filter((f) => f.block === blocks[step]);
  const last = step === blocks.length - 1;
  const state = (k: string) => {
    const m =
      err?.fieldMessage?.(`data.${k}`) ??
      (r.problems.find((p) => p.field === `data.${k}`) && submit.isError ? r.problems.find((p) => p.field === `data.${k}`)!.message : undefined);
    return m ? { state: 'error' as const, stateRelatedMessage: m } : {};
  };

  function input(f: Field) {
    const v = data[f.key];
    const label = `${f.label.charAt(0).toUpperCase()}${f.label.slice(1)}${f.required ? '' : ' (facultatif)'}`;
    switch (f.type) {
      case 'longtext':
        return (
          <Input
            key={f.key}
            label={label}
            textArea
            {...state(f.key)}
            nativeTextAreaProps={{ name: f.key, value: String(v ?? ''), onChange: (e) => change(f.key, e.target.value), onBlur: () => void flush() }}
          />
        );
      case 'integer':
        return (
          <Input
            key={f.key}
            label={label}
            {...state(f.key)}
            nativeInputProps={{
              name: f.key,
              type: 'number',
              inputMode: 'numeric',
              value: v === undefined || v === null ? '' : String(v),
              onChange: (e) => change(f.key, e.target.value === '' ? undefined : Number(e.target.value)),
              onBlur: () => void flush(),
            }}
          />
        );
      case 'choice':
        return (
          <Select
            key={f.key}
            label={label}
            {...state(f.key)}
            nativeSelectProps={{
              name: f.key,
              value: v === undefined ? '' : String(v),
              onChange: (e) => change(f.key, e.target.value === '' ? undefined : Number(e.target.value)),
            }}
          >
            <option value="">—</option>
            {(f.choices ?? []).map((c) => (
              <option key={c} value={c}>
                {c} appels par minute
              </option>
            ))}
          </Select>
        );
      case 'boolean':
        return (
          <Checkbox
            key={f.key}
            {...state(f.key)}
            options={[
              {
                label:
                  f.key === 'terms_of_service_accepted' && r.definition.cguUrl
                    ? `J’accepte les conditions générales d’utilisation (${r.definition.cguUrl})`
                    : label,
                nativeInputProps: { name: f.key, checked: v === true, onChange: (e) => change(f.key, e.target.checked) },
              },
            ]}
          />
        );
      case 'scopes': {
        const cur = Array.isArray(v) ? (v as string[]) : [];
        return (
          <Checkbox
            key={f.key}
            legend="Données demandées"
            {...state(f.key)}
            options={r.definition.scopes.map((s) => ({
              label: `${s.label}${s.sensitive ? ' (sensible)' : ''}`,
              hintText: s.group,
              nativeInputProps: {
                name: 'scopes',
                value: s.value,
                disabled: s.included,
                checked: s.included || cur.includes(s.value),
                onChange: (e) => change(f.key, e.target.checked ? [...cur, s.value] : cur.filter((x) => x !== s.value)),
              },
            }))}
          />
        );
      }
      case 'document': {
        const doc = r.documents.find((d) => d.id === v);
        return (
          <div key={f.key} className="fr-upload-group fr-mb-3w">
            <label className="fr-label" htmlFor={`up-${f.key}`}>
              {label}
              <span className="fr-hint-text">PDF, 10 Mo au plus.{doc ? ` Déposé : ${doc.filename}` : ''}</span>
            </label>
            <input
              className="fr-upload"
              type="file"
              id={`up-${f.key}`}
              accept="application/pdf"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) upload.mutate({ key: f.key, file }, { onSuccess: (d) => change(f.key, d.id) });
              }}
            />
            {upload.error instanceof ApiError && <p className="fr-error-text">{upload.error.fieldMessage(f.key) ?? upload.error.detail}</p>}
          </div>
        );
      }
      default:
        return (
          <Input
            key={f.key}
            label={label}
            {...state(f.key)}
            nativeInputProps={{
              name: f.key,
              type: f.type === 'email' ? 'email' : f.type === 'date' ? 'date' : f.type === 'url' ? 'url' : f.type === 'phone' ? 'tel' : 'text',
              value: String(v ?? ''),
              onChange: (e) => change(f.key, e.target.value),
              onBlur: () => void flush(),
            }}
          />
        );
    }
  }

  return (
    <section aria-label="Formulaire">
      <Stepper
        currentStep={step + 1}
        stepCount={blocks.length}
        title={blockLabels[blocks[step]!]}
        nextTitle={blocks[step + 1] ? blockLabels[blocks[step + 1]!] : undefined}
      />
      <p className="fr-hint-text" aria-live="polite">
        {save.isPending ? 'Enregistrement…' : saved ? `Brouillon enregistré à ${saved}` : 'Vos réponses sont enregistrées automatiquement.'}
      </p>
      {fields.map(input)}
      {err && !err.errors.some((e) => fields.some((f) => e.field === `data.${f.key}`)) && <ErrorAlert error={err} />}
      {submit.isError && err?.errors.length ? (
        <Alert
          severity="error"
          small
          className="fr-mb-3w"
          description={`À compléter : ${err.errors.map((e) => e.message).join(' ; ')}`}
          title="La demande est incomplète"
        />
      ) : null}
      <ul className="fr-btns-group fr-btns-group--inline">
        {step > 0 && (
          <li>
            <Button priority="secondary" onClick={() => (void flush(), setStep(step - 1))}>
              Étape précédente
            </Button>
          </li>
        )}
        {!last && (
          <li>
            <Button onClick={() => (void flush(), setStep(step + 1))}>Étape suivante</Button>
          </li>
        )}
        {last && (
          <li>
            <Button disabled={submit.isPending} onClick={() => void flush().then((ok) => ok && submit.mutate({ transition: 'submit' }))}>
              Soumettre la demande
            </Button>
          </li>
        )}
      </ul>
    </section>
  );
}

/** What the instruction (or the applicant) may do now: one button per allowed transition, a reason when needed. */
function Actions({ r, onResult }: { r: RequestDetail; onResult: (t: TransitionResult) => void }) {
  const t = useTransition(r.id);
  const [message, setMessage] = useState('');
  const instruction = r.definition.myRoles.includes('instructor');
  const templates = useTemplates(r.definitionId, instruction);
  const actions = r.allowed.filter((a) => !(a === 'submit' && r.canEdit));
  if (!actions.length) return null;
  const needs = (a: Transition) => a === 'refuse' || a === 'request_changes' || a === 'revoke';
  const err = t.error as ApiError | null;
  return (
    <section aria-label="Décision" className="fr-mb-4w">
      <h2>Actions</h2>
      {actions.some(needs) && (
        <>
          {(templates.data ?? []).length > 0 && (
            <Select
              label="Modèle de message"
              nativeSelectProps={{ onChange: (e) => setMessage(templates.data?.find((x) => x.id === e.target.value)?.body ?? message) }}
            >
              <option value="">—</option>
              {templates.data!.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.title}
                </option>
              ))}
            </Select>
          )}
          <Input
            label="Motif (obligatoire pour refuser, demander des modifications ou révoquer)"
            textArea
            state={err?.fieldMessage('message') ? 'error' : 'default'}
            stateRelatedMessage={err?.fieldMessage('message')}
            nativeTextAreaProps={{ name: 'motif', value: message, onChange: (e) => setMessage(e.target.value) }}
          />
        </>
      )}
      {err && !err.fieldMessage('message') && <ErrorAlert error={err} />}
      <ul className="fr-btns-group fr-btns-group--inline">
        {actions.map((a) => (
          <li key={a}>
            <Button
              priority={a === 'approve' || a === 'claim' || a === 'reopen' ? 'primary' : 'secondary'}
              disabled={t.isPending}
              onClick={() =>
                t.mutate({ transition: a, message: message || undefined, version: r.version }, { onSuccess: (res) => (setMessage(''), onResult(res)) })
              }
            >
              {transitionLabels[a]}
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Messages({ r }: { r: RequestDetail }) {
  const post = usePostMessage(r.id);
  const [body, setBody] = useState('');
  return (
    <section aria-label="Messages" className="fr-mb-4w">
      <h2>Messages</h2>
      {r.messages.length === 0 && <p>Aucun message.</p>}
      {r.messages.map((m) => (
        <div key={m.id} className="fr-callout fr-mb-2w">
          <p className="fr-callout__title fr-text--sm">
            {m.author} {m.fromInstruction ? '(instruction)' : '(demandeur)'} — {fmt(m.at)}
          </p>
          <p className="fr-callout__text fr-text--md" style={{ whiteSpace: 'pre-wrap' }}>
            {m.body}
          </p>
        </div>
      ))}
      {r.canMessage && (
        <>
          <Input
            label="Nouveau message"
            textArea
            state={post.error instanceof ApiError && post.error.fieldMessage('body') ? 'error' : 'default'}
            stateRelatedMessage={post.error instanceof ApiError ? post.error.fieldMessage('body') : undefined}
            nativeTextAreaProps={{ name: 'message', value: body, onChange: (e) => setBody(e.target.value) }}
          />
          <Button disabled={post.isPending} onClick={() => post.mutate(body, { onSuccess: () => setBody('') })}>
            Envoyer le message
          </Button>
        </>
      )}
    </section>
  );
}

/** `/habilitations/demandes/:id`: the request, its form or its data, its decisions, timeline, messages and diff. */
export function RequestPage() {
  const { id = '' } = useParams();
  const q = useRequest(id);
  const [result, setResult] = useState<TransitionResult | null>(null);
  if (q.error) return <PageError error={q.error} />;
  if (!q.data) return <p>Chargement…</p>;
  const r = q.data;
  return (
    <>
      <p>
        <Link to={`/habilitations/${r.definitionId}`}>{r.definition.name}</Link>
      </p>
      <PageTitle>{r.intitule || 'Demande sans titre'}</PageTitle>
      <div className="fr-mb-3w">
        <Badge
          severity={
            r.state === 'validated'
              ? 'success'
              : r.state === 'refused' || r.state === 'revoked'
                ? 'error'
                : r.state === 'changes_requested'
                  ? 'warning'
                  : 'info'
          }
          data-testid="etat"
        >
          {requestStateLabels[r.state]}
        </Badge>
        {r.reopening && ' · mise à jour d’une habilitation validée'} · demandeur : {r.applicant.displayName ?? 'à reprendre'}
        {r.organisationName ? ` (${r.organisationName})` : ''}
      </div>
      {result?.revealUrl && (
        <Alert
          severity="success"
          title="Demande validée : l’accès est ouvert"
          description={
            <>
              Le contact technique reçoit un lien à usage unique vers l’identifiant (jamais l’identifiant lui-même par courriel) :{' '}
              <a href={result.revealUrl} data-testid="reveal-link">
                {result.revealUrl}
              </a>
            </>
          }
          className="fr-mb-3w"
        />
      )}
      {r.state === 'changes_requested' && r.canEdit && (
        <Alert
          severity="warning"
          small
          title="Modifications demandées"
          description={[...r.events].reverse().find((e) => e.name === 'request_changes')?.message ?? ''}
          className="fr-mb-3w"
        />
      )}
      <Actions r={r} onResult={setResult} />
      {r.canEdit ? (
        <RequestForm key={r.state} r={r} />
      ) : (
        <section aria-label="Données de la demande">
          <h2>Données</h2>
          <Table
            headers={['Champ', 'Valeur']}
            data={r.definition.fields
              .filter((f) => r.data[f.key] !== undefined)
              .map((f) => [
                f.label,
                f.type === 'document' && r.documents.find((d) => d.id === r.data[f.key]) ? (
                  <a key="d" href={habUrls.document(r.id, String(r.data[f.key]))}>
                    {r.documents.find((d) => d.id === r.data[f.key])!.filename}
                  </a>
                ) : (
                  show(r.data[f.key])
                ),
              ])}
          />
        </section>
      )}
      {r.habilitations.length > 0 && (
        <section aria-label="Habilitations" className="fr-mb-4w">
          <h2>Habilitations</h2>
          <Table
            headers={['Habilitation', 'État', 'Données accordées', 'Identifiant', 'Délivrée le', 'Échéance']}
            data={r.habilitations.map((h) => [
              h.slug,
              habilitationStateLabels[h.state],
              h.scopes.join(', '),
              h.credential?.label ?? '',
              fmt(h.createdAt),
              fmt(h.expiresAt),
            ])}
          />
          {r.habilitations
            .filter((h) => h.state === 'active')
            .map((h) => (
              <Usage key={h.id} id={h.id} slug={h.slug} />
            ))}
        </section>
      )}
      <Messages r={r} />
      <section aria-label="Historique" className="fr-mb-4w">
        <h2>Historique</h2>
        <ol>
          {r.events.map((e) => (
            <li key={e.id} className="fr-mb-1w">
              <strong>{e.label}</strong> — {e.actor}, {fmt(e.at)}
              {e.message && <div style={{ whiteSpace: 'pre-wrap' }}>{e.message}</div>}
              {e.diff && Object.keys(e.diff).length > 0 && (
                <Table
                  className="fr-mt-1w"
                  headers={['Champ modifié', 'Avant', 'Après']}
                  data={Object.entries(e.diff).map(([k, [a, b]]) => [r.definition.fields.find((f) => f.key === k)?.label ?? k, show(a), show(b)])}
                />
              )}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

/** The limiter counts a period only when the plan caps it. */
const limit = (used: number, max: number | null) =>
  max === null ? 'sans plafond' : `${used.toLocaleString('fr-FR')} appel(s) sur ${max.toLocaleString('fr-FR')}`;

/** Live usage and quota of an active habilitation, from the gateway's analytics and its limiter. */
function Usage({ id, slug }: { id: string; slug: string }) {
  const q = useHabilitationUsage(id, true);
  const u = q.data;
  return (
    <div className="fr-callout fr-mt-2w" aria-label={`Utilisation de ${slug}`}>
      <h3 className="fr-callout__title">Utilisation de {slug}</h3>
      <ErrorAlert error={q.error} />
      {q.isPending && <p>Chargement de l’utilisation…</p>}
      {q.isSuccess && !u && <p>L’utilisation n’est pas disponible (passerelle non reliée).</p>}
      {u && (
        <ul className="fr-callout__text" data-testid="hab-usage">
          <li>Appels sur 30 jours : {u.calls.toLocaleString('fr-FR')}</li>
          <li>Quota du jour : {limit(u.today, u.limits.perDay)}</li>
          <li>Quota du mois : {limit(u.month, u.limits.perMonth)}</li>
          <li>
            Débit autorisé : {u.limits.perSecond === null ? 'sans plafond' : `${u.limits.perSecond} appel(s) par seconde`}
            {u.limits.perMinute !== null && `, ${u.limits.perMinute} par minute`}
          </li>
          <li>Mis à jour à {new Date(u.at).toLocaleTimeString('fr-FR')}</li>
        </ul>
      )}
    </div>
  );
}
