import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { habilitationStateLabels, requestStateLabels, requestStates } from '@patrimoine/contracts/habilitations';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { habUrls, useDefinitions, useHabilitations, useRequests, useReveal, useStats, type RequestSummary } from './api';
import { PageTitle } from '../../components/Page';
import { plural } from '../../components/plural';

const fmt = (d: string | null) => (d ? new Date(d).toLocaleDateString('fr-FR') : '');

function RequestTable({ items }: { items: RequestSummary[] }) {
  if (!items.length) return <p>Aucune demande.</p>;
  return (
    <Table
      headers={['Demande', 'Type d’habilitation', 'Organisation', 'État', 'Soumise le', 'Mise à jour']}
      data={items.map((r) => [
        <Link key="l" to={`/habilitations/demandes/${r.id}`}>
          {r.intitule || 'Sans titre'}
        </Link>,
        r.definitionName,
        r.organisationName ?? '',
        requestStateLabels[r.state],
        fmt(r.lastSubmittedAt),
        fmt(r.updatedAt),
      ])}
    />
  );
}

/** `/habilitations/mes-demandes`: the applicant's requests and their organisation's, and their habilitations. */
export function MyRequestsPage() {
  const q = useRequests({ mine: 'true' });
  const habs = useHabilitations();
  return (
    <>
      <PageTitle>Mes demandes d’habilitation</PageTitle>
      <p>Vos demandes et celles de vos collègues de la même organisation.</p>
      <p>
        <Link to="/habilitations">Faire une nouvelle demande</Link> · <a href={habUrls.requests({ mine: 'true', format: 'csv' })}>Exporter en CSV</a>
      </p>
      <ErrorAlert error={q.error ?? habs.error} />
      <RequestTable items={q.data?.items ?? []} />
      <h2>Habilitations</h2>
      <p>
        <a href={habUrls.habilitations('csv')}>Exporter en CSV</a>
      </p>
      <Table
        headers={['Habilitation', 'API', 'État', 'Données', 'Échéance']}
        data={(habs.data ?? []).map((h) => [
          <Link key="l" to={`/habilitations/demandes/${h.requestId}`}>
            {h.slug}
          </Link>,
          h.definitionName,
          habilitationStateLabels[h.state],
          h.scopes.join(', '),
          fmt(h.expiresAt),
        ])}
      />
    </>
  );
}

/** `/habilitations/instruction`: the instructors' queue, filtered (filters in the URL), and statistics. */
export function QueuePage() {
  const [f, set] = useUrlState(['state', 'definitionId', 'q', 'page'] as const);
  const defs = useDefinitions();
  const filters = { state: f.state || undefined, definitionId: f.definitionId || undefined, q: f.q || undefined, page: f.page ? Number(f.page) : undefined };
  const q = useRequests(filters);
  const stats = useStats();
  const [text, setText] = useState(f.q);
  const mine = (defs.data ?? []).filter((d) => d.myRoles.length);
  return (
    <>
      <PageTitle>Instruction des demandes</PageTitle>
      <form
        className="fr-grid-row fr-grid-row--gutters"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: text });
        }}
      >
        <div className="fr-col-12 fr-col-md-3">
          <Select label="État" nativeSelectProps={{ name: 'state', value: f.state, onChange: (e) => set({ state: e.target.value }) }}>
            <option value="">Tous</option>
            {requestStates.map((s) => (
              <option key={s} value={s}>
                {requestStateLabels[s]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select
            label="Type d’habilitation"
            nativeSelectProps={{ name: 'definitionId', value: f.definitionId, onChange: (e) => set({ definitionId: e.target.value }) }}
          >
            <option value="">Tous</option>
            {mine.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Input label="Projet ou SIRET" nativeInputProps={{ name: 'q', value: text, onChange: (e) => setText(e.target.value) }} />
        </div>
        <div className="fr-col-12 fr-col-md-2" style={{ alignSelf: 'flex-end' }}>
          <Button type="submit">Filtrer</Button>
        </div>
      </form>
      <p>
        {q.data ? plural(q.data.total, 'demande') : ''} · <a href={habUrls.requests({ ...filters, format: 'csv' })}>Exporter en CSV</a>
      </p>
      <ErrorAlert error={q.error} />
      <RequestTable items={q.data?.items ?? []} />
      {q.data && q.data.total > q.data.pageSize && (
        <p>
          {filters.page && filters.page > 1 && (
            <Button priority="tertiary" onClick={() => set({ page: (filters.page ?? 1) - 1 }, { resetPage: false })}>
              Page précédente
            </Button>
          )}
          {(filters.page ?? 1) * q.data.pageSize < q.data.total && (
            <Button priority="tertiary" onClick={() => set({ page: (filters.page ?? 1) + 1 }, { resetPage: false })}>
              Page suivante
            </Button>
          )}
        </p>
      )}
      <h2>Statistiques</h2>
      <p>
        <a href={habUrls.stats('csv')}>Exporter en CSV</a> · <a href={habUrls.opendata()}>Données ouvertes (habilitations actives, CSV)</a>
      </p>
      {stats.data && (
        <Table
          headers={[
            'Type d’habilitation',
            'Soumises',
            'Validées',
            'Refusées',
            'Réouvertes',
            'En instruction',
            '1re décision p50 / p80 (h)',
            'Décision finale p50 / p80 (h)',
          ]}
          data={stats.data.items.map((s) => [
            s.name,
            s.volumes.submitted,
            s.volumes.validated,
            s.volumes.refused,
            s.volumes.reopened,
            s.backlog,
            `${s.timeToFirstDecision.p50 ?? '—'} / ${s.timeToFirstDecision.p80 ?? '—'}`,
            `${s.timeToFinalDecision.p50 ?? '—'} / ${s.timeToFinalDecision.p80 ?? '—'}`,
          ])}
        />
      )}
    </>
  );
}

/** `/habilitations/secret/:token`: the one-time reveal of a credential, on a click (link previews do not consume it). */
export function RevealPage() {
  const { token = '' } = useParams();
  const reveal = useReveal();
  const r = reveal.data;
  return (
    <>
      <PageTitle>Votre identifiant d’accès</PageTitle>
      {!r && (
        <>
          <p>Cet identifiant ne s’affiche qu’une fois : copiez-le et rangez-le dans un coffre de secrets avant de quitter la page.</p>
          <ErrorAlert error={reveal.error} />
          <Button disabled={reveal.isPending} onClick={() => reveal.mutate(token)}>
            Afficher l’identifiant
          </Button>
        </>
      )}
      {r && (
        <div className="fr-alert fr-alert--success">
          <h2 className="fr-alert__title">Identifiant affiché — il ne le sera plus</h2>
          {
            <dl data-testid="credential">
              {r.key && (
                <>
                  <dt>Clé d’API (en-tête X-Api-Key)</dt>
                  <dd>
                    <code data-testid="api-key">{r.key}</code>
                  </dd>
                </>
              )}
              {r.clientId && (
                <>
                  <dt>client_id</dt>
                  <dd>
                    <code data-testid="client-id">{r.clientId}</code>
                  </dd>
                  <dt>client_secret</dt>
                  <dd>
                    <code data-testid="client-secret">{r.clientSecret}</code>
                  </dd>
                  <dt>Point de jeton (client credentials)</dt>
                  <dd>
                    <code>{r.tokenUrl}</code>
                  </dd>
                </>
              )}
              <dt>API</dt>
              <dd>
                <code>/gw/{r.apiSlug}</code>
              </dd>
              <dt>Données accordées</dt>
              <dd>{r.scopes.join(', ')}</dd>
            </dl>
          }
        </div>
      )}
    </>
  );
}
