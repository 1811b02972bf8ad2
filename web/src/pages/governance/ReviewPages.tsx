import { plural } from '../../components/plural';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { campaignStatusLabels, reviewOutcomeLabels, reviewOutcomes } from '@patrimoine/contracts/governance';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { useAuth } from '../../auth';
import { CsvLink, G, GovernanceFrame, frDay } from './common';
import { ProgressBars } from './charts';
import {
  governanceUrls,
  useCampaign,
  useCampaigns,
  useCloseCampaign,
  useConfirmItem,
  useCreateCampaign,
  useRemind,
  useReviewItems,
  type Campaign,
} from './api';

function ProgressTable({ c }: { c: Campaign }) {
  return (
    <div className="fr-table">
      <table>
        <caption>Avancement par direction — {c.title}</caption>
        <thead>
          <tr>
            <th scope="col">Direction</th>
            <th scope="col">Actifs</th>
            <th scope="col">Confirmés</th>
            <th scope="col">Mis à jour</th>
            <th scope="col">À revoir</th>
            <th scope="col">Avancement</th>
          </tr>
        </thead>
        <tbody>
          {c.byDirectorate.map((g) => (
            <tr key={g.organisationCode} data-org={g.organisationCode}>
              <th scope="row">
                <Link to={`${G}/revues/${c.id}?organisation=${g.organisationCode}`}>{g.organisationCode}</Link> {g.organisationName}
              </th>
              <td>{g.total}</td>
              <td>{g.confirmed}</td>
              <td>{g.modified}</td>
              <td>{g.pending}</td>
              <td>{g.percent} %</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CampaignProgress({ c }: { c: Campaign }) {
  return (
    <ProgressBars
      title={`Avancement de la revue par direction — ${c.title}`}
      rows={c.byDirectorate.map((g) => ({ key: g.organisationCode, confirmed: g.confirmed, modified: g.modified, pending: g.pending }))}
      table={<ProgressTable c={c} />}
    />
  );
}

function NewCampaign() {
  const create = useCreateCampaign();
  const [title, setTitle] = useState('');
  const [dueOn, setDueOn] = useState('');
  const [orgs, setOrgs] = useState('');
  const err = create.error instanceof ApiError ? create.error : null;
  const msg = (f: string) => err?.fieldMessage(f);
  return (
    <form
      aria-label="Ouvrir une campagne de revue"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({
          title,
          dueOn,
          organisations: orgs
            .split(/[\s,;]+/)
            .map((s) => s.trim().toUpperCase())
            .filter(Boolean),
        });
      }}
    >
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-5">
          <Input
            label="Titre"
            state={msg('title') ? 'error' : 'default'}
            stateRelatedMessage={msg('title')}
            nativeInputProps={{ value: title, onChange: (e) => setTitle(e.target.value) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Input
            label="Échéance"
            state={msg('dueOn') ? 'error' : 'default'}
            stateRelatedMessage={msg('dueOn')}
            nativeInputProps={{ type: 'date', value: dueOn, onChange: (e) => setDueOn(e.target.value) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Input
            label="Directions (codes, vide : toutes)"
            hintText="Par exemple : DSR, DNUM"
            state={msg('organisations') ? 'error' : 'default'}
            stateRelatedMessage={msg('organisations')}
            nativeInputProps={{ value: orgs, onChange: (e) => setOrgs(e.target.value) }}
          />
        </div>
      </div>
      <ErrorAlert error={create.error} />
      <Button type="submit" disabled={create.isPending}>
        Ouvrir la campagne
      </Button>
    </form>
  );
}

/** Review campaigns of the cartography (A28): the list with each campaign's progress. */
export function CampaignsPage() {
  const list = useCampaigns();
  const { hasRole } = useAuth();
  return (
    <GovernanceFrame title="Revues de la cartographie">
      <p>
        « La cartographie des données n’est pas un livrable, c’est un processus continu » : chaque direction confirme ou met à jour les actifs qu’elle possède.
      </p>
      <ErrorAlert error={list.error} />
      {list.data?.items.length === 0 && <p>Aucune campagne pour l’instant.</p>}
      {list.data?.items.map((c) => (
        <section key={c.id} className="fr-mb-4w">
          <h2 className="fr-h4">
            <Link to={`${G}/revues/${c.id}`}>{c.title}</Link>{' '}
            <Badge as="span" severity={c.status === 'ouverte' ? (c.overdue ? 'error' : 'info') : 'success'} small>
              {c.overdue ? 'Échéance dépassée' : campaignStatusLabels[c.status]}
            </Badge>
          </h2>
          <p>
            Ouverte le {frDay(c.startedOn)}, échéance le {frDay(c.dueOn)} — {plural(c.totals.confirmed + c.totals.modified, 'actif revu')} sur {c.totals.total}{' '}
            ({c.totals.percent} %).
          </p>
          <CampaignProgress c={c} />
        </section>
      ))}
      {hasRole('admin') && (
        <section className="fr-mt-4w">
          <h2 className="fr-h4">Ouvrir une campagne</h2>
          <NewCampaign />
        </section>
      )}
    </GovernanceFrame>
  );
}

/** One campaign: progress, then the assets of a directorate with one click to confirm, the edit form otherwise. */
export function CampaignPage() {
  const { id = '' } = useParams();
  const c = useCampaign(id);
  const [f, set] = useUrlState(['organisation', 'revue'] as const);
  const filters = { organisation: f.organisation, outcome: f.revue };
  const items = useReviewItems(id, filters);
  const confirm = useConfirmItem(id);
  const remind = useRemind(id);
  const close = useCloseCampaign(id);
  const { hasRole } = useAuth();
  const d = c.data;
  return (
    <GovernanceFrame title={d ? d.title : 'Campagne de revue'}>
      <ErrorAlert error={c.error} />
      {d && (
        <>
          <p>
            {campaignStatusLabels[d.status]} — ouverte le {frDay(d.startedOn)}, échéance le <strong>{frDay(d.dueOn)}</strong>
            {d.overdue ? ' (dépassée)' : ''}. Relances par courriel à partir de {plural(d.remindDaysBefore, 'jour')} avant l’échéance
            {d.lastReminderOn ? `, dernière le ${frDay(d.lastReminderOn)}` : ''}.
          </p>
          <CampaignProgress c={d} />
          {hasRole('admin') && d.status === 'ouverte' && (
            <p>
              <Button priority="secondary" onClick={() => remind.mutate()} disabled={remind.isPending}>
                Relancer les directions maintenant
              </Button>{' '}
              <Button priority="tertiary" onClick={() => close.mutate()} disabled={close.isPending}>
                Clore la campagne
              </Button>
            </p>
          )}
          {remind.data && <p role="status">{plural(remind.data.sent, 'relance envoyée')}.</p>}
          <ErrorAlert error={remind.error ?? close.error} />
          <h2 className="fr-h4">Actifs à revoir</h2>
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-4">
              <Select label="Direction" nativeSelectProps={{ value: f.organisation, onChange: (e) => set({ organisation: e.target.value }) }}>
                <option value="">Toutes</option>
                {d.byDirectorate.map((g) => (
                  <option key={g.organisationCode} value={g.organisationCode}>
                    {g.organisationCode}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <Select label="Revue" nativeSelectProps={{ value: f.revue, onChange: (e) => set({ revue: e.target.value }) }}>
                <option value="">Toutes</option>
                {reviewOutcomes.map((o) => (
                  <option key={o} value={o}>
                    {reviewOutcomeLabels[o]}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-12 fr-col-md-4" style={{ alignSelf: 'end', paddingBottom: '1.5rem' }}>
              <CsvLink href={governanceUrls.itemsCsv(id, filters)} />
            </div>
          </div>
          <ErrorAlert error={items.error ?? confirm.error} />
          {items.data && (
            <div className="fr-table">
              <table>
                <caption>{plural(items.data.total, 'actif')}</caption>
                <thead>
                  <tr>
                    <th scope="col">Actif</th>
                    <th scope="col">Direction</th>
                    <th scope="col">Complétude</th>
                    <th scope="col">Dernière confirmation</th>
                    <th scope="col">Revue</th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  {items.data.items.map((i) => (
                    <tr key={i.assetId} data-asset={`${i.kind}:${i.slug}`} data-organisation={i.organisationCode}>
                      <th scope="row">
                        <Link to={`/catalogue/${i.kind}/${i.slug}`}>{i.title}</Link>
                        <br />
                        <span className="fr-text--xs">
                          {i.kind}:{i.slug}
                        </span>
                      </th>
                      <td>{i.organisationCode}</td>
                      <td>{i.completeness} %</td>
                      <td>
                        {frDay(i.lastConfirmedAt)}{' '}
                        {i.stale && (
                          <Badge as="span" severity="warning" small>
                            Périmé
                          </Badge>
                        )}
                      </td>
                      <td>
                        <Badge as="span" severity={i.outcome === 'en_attente' ? 'new' : 'success'} small>
                          {reviewOutcomeLabels[i.outcome]}
                        </Badge>
                        {i.reviewedAt ? <span className="fr-text--xs"> le {frDay(i.reviewedAt)}</span> : null}
                      </td>
                      <td>
                        {i.canConfirm && i.outcome === 'en_attente' && (
                          <>
                            <Button
                              size="small"
                              onClick={() => confirm.mutate(i.assetId)}
                              disabled={confirm.isPending}
                              title={`Confirmer « ${i.title} » sans changement`}
                            >
                              Confirmer sans changement
                            </Button>{' '}
                            <Link className="fr-btn fr-btn--sm fr-btn--secondary" to={`/catalogue/${i.kind}/${i.slug}/modifier`}>
                              Mettre à jour
                            </Link>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </GovernanceFrame>
  );
}
