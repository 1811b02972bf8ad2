import { useState } from 'react';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { communitySourceLabels, reuseTypeLabels, reuseTypes } from '@patrimoine/contracts/opendata';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormErrors } from '../../components/FormErrors';
import { plural } from '../../components/plural';
import { useAddReuse, useAnswer, useAsk, useCommunity, useImportCommunity, useRemoveReuse, type Community, type Discussion } from './api';
import { dateFr } from './DatasetPages';

function ReuseForm({ slug }: { slug: string }) {
  const m = useAddReuse(slug);
  const [f, setF] = useState({ title: '', url: '', type: 'application', author: '' });
  const err = m.error instanceof ApiError ? m.error : null;
  const field = (k: keyof typeof f) => ({
    state: err?.fieldMessage(k) ? ('error' as const) : undefined,
    stateRelatedMessage: err?.fieldMessage(k),
  });
  return (
    <form
      aria-labelledby="declarer-reutilisation"
      className="fr-mt-2w"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate(f, { onSuccess: () => setF({ title: '', url: '', type: 'application', author: '' }) });
      }}
    >
      <h4 id="declarer-reutilisation">Déclarer une réutilisation</h4>
      <FormErrors error={m.error} labels={{ title: 'Titre de la réutilisation', url: 'Adresse de la réutilisation', type: 'Type', author: 'Auteur' }} />
      <Input
        label="Titre de la réutilisation"
        {...field('title')}
        nativeInputProps={{ value: f.title, onChange: (e) => setF({ ...f, title: e.target.value }) }}
      />
      <Input
        label="Adresse de la réutilisation"
        hintText="Adresse publique en http ou https."
        {...field('url')}
        nativeInputProps={{ value: f.url, type: 'url', onChange: (e) => setF({ ...f, url: e.target.value }) }}
      />
      <Select label="Type" {...field('type')} nativeSelectProps={{ value: f.type, onChange: (e) => setF({ ...f, type: e.target.value }) }}>
        {reuseTypes.map((t) => (
          <option key={t} value={t}>
            {reuseTypeLabels[t]}
          </option>
        ))}
      </Select>
      <Input
        label="Auteur"
        hintText="Personne ou organisation qui a réalisé la réutilisation."
        {...field('author')}
        nativeInputProps={{ value: f.author, onChange: (e) => setF({ ...f, author: e.target.value }) }}
      />
      <Button type="submit" priority="secondary" disabled={m.isPending}>
        Déclarer la réutilisation
      </Button>
    </form>
  );
}

function AskForm({ slug }: { slug: string }) {
  const m = useAsk(slug);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const err = m.error instanceof ApiError ? m.error : null;
  return (
    <form
      aria-labelledby="poser-question"
      className="fr-mt-2w"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate(
          { title, body },
          {
            onSuccess: () => {
              setTitle('');
              setBody('');
            },
          },
        );
      }}
    >
      <h4 id="poser-question">Poser une question au producteur</h4>
      <FormErrors error={m.error} labels={{ title: 'Titre de la question', body: 'Votre question' }} />
      <Input
        label="Titre de la question"
        state={err?.fieldMessage('title') ? 'error' : undefined}
        stateRelatedMessage={err?.fieldMessage('title')}
        nativeInputProps={{ value: title, onChange: (e) => setTitle(e.target.value) }}
      />
      <Input
        textArea
        label="Votre question"
        hintText="La question et votre nom sont publics."
        state={err?.fieldMessage('body') ? 'error' : undefined}
        stateRelatedMessage={err?.fieldMessage('body')}
        nativeTextAreaProps={{ value: body, rows: 3, onChange: (e) => setBody(e.target.value) }}
      />
      <Button type="submit" priority="secondary" disabled={m.isPending}>
        Publier la question
      </Button>
    </form>
  );
}

function AnswerForm({ d }: { d: Discussion }) {
  const m = useAnswer(d.id);
  const [body, setBody] = useState('');
  const [close, setClose] = useState(false);
  const err = m.error instanceof ApiError ? m.error : null;
  return (
    <form
      aria-label={`Répondre à « ${d.title} »`}
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ body, close }, { onSuccess: () => setBody('') });
      }}
    >
      <FormErrors error={m.error} labels={{ body: 'Réponse du producteur' }} />
      <Input
        textArea
        label="Réponse du producteur"
        hintText="Publiée au nom de l’organisation productrice."
        state={err?.fieldMessage('body') ? 'error' : undefined}
        stateRelatedMessage={err?.fieldMessage('body')}
        nativeTextAreaProps={{ value: body, rows: 2, onChange: (e) => setBody(e.target.value) }}
      />
      <Checkbox small options={[{ label: 'Clore la discussion', nativeInputProps: { checked: close, onChange: (e) => setClose(e.target.checked) } }]} />
      <Button type="submit" size="small" disabled={m.isPending}>
        Répondre
      </Button>
    </form>
  );
}

function DiscussionItem({ d, canModerate }: { d: Discussion; canModerate: boolean }) {
  return (
    <li className="fr-mb-3w">
      <h4 className="fr-h6 fr-mb-1v">
        {d.title}{' '}
        {d.answered ? (
          <Badge as="span" severity="success" small>
            Répondu
          </Badge>
        ) : (
          <Badge as="span" severity="info" small>
            En attente de réponse
          </Badge>
        )}{' '}
        {d.closedAt && (
          <Badge as="span" small noIcon>
            Close
          </Badge>
        )}
      </h4>
      <p className="fr-text--xs fr-mb-1w">
        {`${communitySourceLabels[d.source]} · ouverte par ${d.author} le ${dateFr(d.createdAt)}`}
        {d.remotePage && (
          <>
            {' · '}
            <a href={d.remotePage} target="_blank" rel="noreferrer noopener">
              voir sur data.gouv.fr
            </a>
          </>
        )}
      </p>
      {d.messages.map((m) => (
        <blockquote key={m.id} className={m.producer ? 'fr-callout fr-py-2w fr-px-2w fr-mb-1w' : 'fr-mb-1w fr-pl-2w'}>
          <p className="fr-mb-1v" style={{ whiteSpace: 'pre-wrap' }}>
            {m.body}
          </p>
          <p className="fr-text--xs fr-mb-0">{`${m.author}, ${dateFr(m.postedAt)}`}</p>
        </blockquote>
      ))}
      {canModerate && d.source === 'local' && !d.closedAt && <AnswerForm d={d} />}
    </li>
  );
}

function ImportPanel({ slug, c }: { slug: string; c: Community }) {
  const m = useImportCommunity(slug);
  const last = m.data ?? c.lastImport;
  return (
    <div className="fr-mt-2w">
      <Button priority="secondary" size="small" onClick={() => m.mutate()} disabled={m.isPending}>
        Importer depuis data.gouv.fr
      </Button>
      {last && (
        <p className="fr-text--sm fr-mt-1w">
          {`Dernier import le ${dateFr(last.at)} : ${plural(last.reuses.added, 'réutilisation ajoutée')}, ${plural(last.reuses.updated, 'mise à jour', 'mises à jour')}, ${plural(last.reuses.skipped, 'ignorée')} ; ${plural(last.discussions.added, 'discussion ajoutée')}, ${plural(last.discussions.updated, 'mise à jour', 'mises à jour')}.`}
        </p>
      )}
      {last && last.notes.length > 0 && (
        <ul className="fr-text--sm">
          {last.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {m.error && <ErrorAlert error={m.error} />}
    </div>
  );
}

/** Reuses and discussions of an open dataset (A01), on its public page. */
export function CommunitySection({ slug, open }: { slug: string; open: boolean }) {
  const q = useCommunity(slug);
  const { me } = useAuth();
  const remove = useRemoveReuse();
  if (q.error) return <ErrorAlert error={q.error} />;
  if (!q.data) return null;
  const c = q.data;
  const signedIn = !!me?.user;
  return (
    <>
      <section className="fr-mt-4w" aria-labelledby="reutilisations">
        <h2 id="reutilisations">Réutilisations</h2>
        {c.reuses.length === 0 ? (
          <p>Aucune réutilisation n’est encore connue.</p>
        ) : (
          <div className="fr-table fr-table--sm">
            <table>
              <caption>{plural(c.reuses.length, 'réutilisation')}</caption>
              <thead>
                <tr>
                  <th scope="col">Réutilisation</th>
                  <th scope="col">Type</th>
                  <th scope="col">Auteur</th>
                  <th scope="col">Source</th>
                  {c.canModerate && <th scope="col">Action</th>}
                </tr>
              </thead>
              <tbody>
                {c.reuses.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <a href={r.url} target="_blank" rel="noreferrer noopener nofollow">
                        {r.title}
                      </a>
                    </td>
                    <td>{reuseTypeLabels[r.type]}</td>
                    <td>{r.author}</td>
                    <td>
                      {r.remotePage ? (
                        <a href={r.remotePage} target="_blank" rel="noreferrer noopener">
                          {communitySourceLabels[r.source]}
                        </a>
                      ) : (
                        communitySourceLabels[r.source]
                      )}
                    </td>
                    {c.canModerate && (
                      <td>
                        <Button size="small" priority="tertiary" onClick={() => remove.mutate(r.id)} disabled={remove.isPending}>
                          {`Retirer « ${r.title} »`}
                        </Button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {remove.error && <ErrorAlert error={remove.error} />}
        {open && signedIn && <ReuseForm slug={slug} />}
      </section>
      <section className="fr-mt-4w" aria-labelledby="discussions">
        <h2 id="discussions">Questions et discussions</h2>
        {c.discussions.length === 0 ? (
          <p>Aucune question n’a encore été posée.</p>
        ) : (
          <ul className="fr-raw-list">
            {c.discussions.map((d) => (
              <DiscussionItem key={d.id} d={d} canModerate={c.canModerate} />
            ))}
          </ul>
        )}
        {open && signedIn && <AskForm slug={slug} />}
        {open && !signedIn && <Alert severity="info" small description="Connectez-vous pour déclarer une réutilisation ou poser une question au producteur." />}
        {c.canModerate && c.remotePage && <ImportPanel slug={slug} c={c} />}
      </section>
    </>
  );
}
