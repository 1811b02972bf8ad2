import { useState, type FormEvent } from 'react';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormErrors } from '../../components/FormErrors';
import { PageError, PageTitle } from '../../components/Page';
import { plural } from '../../components/plural';
import { useDeleteSynonym, useSaveSynonym, useSynonyms, type SynonymGroup } from './api';

const parents = [{ label: 'Catalogue', to: '/catalogue' }];

/** Adds a group, or edits one: one expression per line. */
function SynonymForm({ group, onDone }: { group?: SynonymGroup; onDone: (message: string) => void }) {
  const [terms, setTerms] = useState(group ? group.terms.join('\n') : '');
  const [note, setNote] = useState(group?.note ?? '');
  const save = useSaveSynonym(group?.id);
  const err = save.error instanceof ApiError ? save.error : null;
  // A message on the list or on one of its lines (`terms.1`) is shown under the list.
  const termsMessage =
    err?.errors
      .filter((e) => /(^|\.)terms(\.\d+)?$/.test(e.field))
      .map((e) => e.message)
      .join(' ') || undefined;
  const id = group ? `synonym-${group.id}` : 'synonym-new';
  return (
    <form
      aria-label={group ? `Modifier le groupe « ${group.terms[0]} »` : 'Ajouter un groupe de synonymes'}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        const list = terms
          .split('\n')
          .map((t) => t.trim())
          .filter(Boolean);
        save.mutate(
          { terms: list, note: note.trim() || null },
          {
            onSuccess: (r) => {
              onDone(group ? `Groupe « ${r.terms[0]} » enregistré.` : `Groupe « ${r.terms[0]} » ajouté : la recherche l’utilise dès maintenant.`);
              if (!group) {
                setTerms('');
                setNote('');
              }
            },
          },
        );
      }}
    >
      <FormErrors error={save.error} />
      <Input
        textArea
        label="Expressions équivalentes"
        hintText="Une expression par ligne (au moins deux) : chercher l’une cherche aussi les autres. Accents et majuscules sont ignorés."
        state={termsMessage ? 'error' : 'default'}
        stateRelatedMessage={termsMessage}
        nativeTextAreaProps={{ id: `${id}-terms`, name: 'terms', rows: 3, value: terms, onChange: (e) => setTerms(e.target.value) }}
      />
      <Input
        label="Note (facultative)"
        hintText="Pourquoi ces expressions sont équivalentes, ou d’où elles viennent."
        state={err?.fieldMessage('note') ? 'error' : 'default'}
        stateRelatedMessage={err?.fieldMessage('note')}
        nativeInputProps={{ id: `${id}-note`, name: 'note', value: note, onChange: (e) => setNote(e.target.value) }}
      />
      <Button type="submit" disabled={save.isPending}>
        {group ? 'Enregistrer le groupe' : 'Ajouter le groupe'}
      </Button>
    </form>
  );
}

/** The French synonym list of the catalogue search, edited by the data team (ADR 0106). */
export function SynonymsPage() {
  const { hasRole } = useAuth();
  const list = useSynonyms();
  const remove = useDeleteSynonym();
  const [editing, setEditing] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const canEdit = hasRole('admin', 'data_admin');
  if (list.error) return <PageError error={list.error} title="Synonymes de la recherche" />;
  const items = list.data?.items ?? [];
  return (
    <>
      <PageTitle parents={parents}>Synonymes de la recherche</PageTitle>
      <p>
        Quand une recherche du catalogue contient l’une de ces expressions, elle cherche aussi les autres expressions du groupe (par exemple « carte grise »
        trouve les actifs qui parlent du « certificat d’immatriculation »).{' '}
        {canEdit ? 'Les administrateurs des données tiennent cette liste.' : 'Les administrateurs des données tiennent cette liste ; vous pouvez la consulter.'}
      </p>
      {done && <Alert severity="success" small description={done} closable onClose={() => setDone(null)} className="fr-mb-3w" />}
      <ErrorAlert error={remove.error} />
      {canEdit && (
        <section className="fr-mb-4w">
          <h2 className="fr-h4">Ajouter un groupe</h2>
          <SynonymForm onDone={setDone} />
        </section>
      )}
      <h2 className="fr-h4">{list.data ? plural(items.length, 'groupe') : 'Chargement…'}</h2>
      <div className="fr-table fr-table--no-caption">
        <table>
          <caption>Groupes de synonymes</caption>
          <thead>
            <tr>
              <th scope="col">Expressions équivalentes</th>
              <th scope="col">Note</th>
              <th scope="col">Modifié par</th>
              {canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((g) =>
              editing === g.id ? (
                <tr key={g.id}>
                  <td colSpan={canEdit ? 4 : 3}>
                    <SynonymForm
                      group={g}
                      onDone={(m) => {
                        setDone(m);
                        setEditing(null);
                      }}
                    />
                    <Button priority="tertiary" size="small" className="fr-mt-1w" onClick={() => setEditing(null)}>
                      Annuler
                    </Button>
                  </td>
                </tr>
              ) : (
                <tr key={g.id}>
                  <td>{g.terms.join(' · ')}</td>
                  <td>{g.note ?? ''}</td>
                  <td>{g.updatedBy}</td>
                  {canEdit && (
                    <td>
                      <div style={{ display: 'flex', gap: '0.5rem', flexWrap: 'wrap' }}>
                        <Button
                          priority="secondary"
                          size="small"
                          onClick={() => setEditing(g.id)}
                          nativeButtonProps={{ 'aria-label': `Modifier le groupe « ${g.terms[0]} »` }}
                        >
                          Modifier
                        </Button>
                        <Button
                          priority="tertiary"
                          size="small"
                          nativeButtonProps={{ 'aria-label': `Supprimer le groupe « ${g.terms[0]} »` }}
                          onClick={() => {
                            if (!window.confirm(`Supprimer le groupe « ${g.terms.join(', ')} » ? La recherche ne l’utilisera plus.`)) return;
                            remove.mutate(g.id, { onSuccess: () => setDone(`Groupe « ${g.terms[0]} » supprimé.`) });
                          }}
                        >
                          Supprimer
                        </Button>
                      </div>
                    </td>
                  )}
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}
