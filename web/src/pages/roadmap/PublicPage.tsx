import { actionStatusLabels, actionStatuses, openingStatusLabels, openingTypeLabels } from '@patrimoine/contracts/roadmap';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { BurnupChart, Progress, StackedBars, type Series } from './charts';
import { frDay, statusColour } from './format';
import { roadmapUrls, usePublicRoadmap, usePublicRoadmaps } from './api';
import { PageTitle } from '../../components/Page';
import { plural, word } from '../../components/plural';

const series: Series[] = actionStatuses.map((s) => ({ key: s, label: actionStatusLabels[s], colour: statusColour[s] }));

/** Transparency page (no login): the roadmap is public, so is its progress. No names, no internal notes. */
export function PublicPage() {
  const list = usePublicRoadmaps();
  const [f, set] = useUrlState(['feuille'] as const);
  const slug = f.feuille || list.data?.items.find((r) => r.slug === 'dac-2021-2023')?.slug || list.data?.items[0]?.slug;
  const r = usePublicRoadmap(slug);
  const d = r.data;
  return (
    <>
      <PageTitle>Transparence : avancement de la feuille de route</PageTitle>
      <p>
        Le ministère de l’Intérieur publie sa feuille de route sur les données, les algorithmes et les codes sources. Cette page en présente l’avancement, mis à
        jour par les directions.
      </p>
      {list.data && list.data.items.length > 1 && (
        <p>
          <label htmlFor="feuille">Feuille de route : </label>
          <select
            id="feuille"
            className="fr-select"
            style={{ maxWidth: 500, display: 'inline-block' }}
            value={slug}
            onChange={(e) => set({ feuille: e.target.value })}
          >
            {list.data.items.map((x) => (
              <option key={x.slug} value={x.slug}>
                {x.title}
              </option>
            ))}
          </select>
        </p>
      )}
      <ErrorAlert error={list.error ?? r.error} />
      {d && (
        <>
          <h2>{d.roadmap.title}</h2>
          <p>
            <strong>{d.totals.realisee}</strong> {word(d.totals.realisee, 'action réalisée')} et <strong>{d.totals.en_cours}</strong> en cours sur{' '}
            <strong>{d.totals.total}</strong> ; avancement moyen {d.totals.meanProgress} % ; <strong>{d.openingsSummary.byStatus.disponible}</strong>{' '}
            {word(d.openingsSummary.byStatus.disponible, 'ouverture de données ou d’API disponible', 'ouvertures de données ou d’API disponibles')}
            sur {d.openingsSummary.total} {word(d.openingsSummary.total, 'annoncée')}.
          </p>
          <StackedBars
            title="Actions par partie de la feuille de route et par statut"
            rows={d.bySection.map((x) => ({
              key: x.key,
              label: x.label,
              values: { a_lancer: x.a_lancer, en_cours: x.en_cours, realisee: x.realisee, abandonnee: x.abandonnee },
            }))}
            series={series}
            description={d.bySection.map((x) => `${x.label} : ${plural(x.realisee, 'réalisée')} sur ${x.total}`).join(' ; ')}
            table={
              <div className="fr-table fr-table--no-caption">
                <table>
                  <caption>Actions par partie</caption>
                  <thead>
                    <tr>
                      <th scope="col">Partie</th>
                      <th scope="col">Actions</th>
                      {actionStatuses.map((s) => (
                        <th scope="col" key={s}>
                          {actionStatusLabels[s]}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {d.bySection.map((x) => (
                      <tr key={x.key}>
                        <th scope="row">{x.label}</th>
                        <td>{x.total}</td>
                        {actionStatuses.map((s) => (
                          <td key={s}>{x[s]}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            }
          />
          <BurnupChart points={d.burnup} />
          <h2 className="fr-h4">Les actions</h2>
          <p>
            <a className="fr-link fr-icon-download-line fr-link--icon-left" href={roadmapUrls.publicRoadmap(slug!, { format: 'csv', table: 'actions' })}>
              Télécharger les actions (CSV)
            </a>
          </p>
          <div className="fr-table fr-table--bordered">
            <table>
              <caption className="fr-sr-only">Actions</caption>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Action</th>
                  <th scope="col">Échéance</th>
                  <th scope="col">Statut</th>
                  <th scope="col">Avancement</th>
                </tr>
              </thead>
              <tbody>
                {d.actions.map((a) => (
                  <tr key={a.code}>
                    <th scope="row">{a.code}</th>
                    <td>{a.title}</td>
                    <td>{a.deadlineLabel}</td>
                    <td>
                      {actionStatusLabels[a.status]}
                      {a.overdue ? ' (en retard)' : ''}
                    </td>
                    <td>
                      <Progress value={a.progress} label={a.code} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2 className="fr-h4">Les ouvertures annoncées</h2>
          <p>
            <a className="fr-link fr-icon-download-line fr-link--icon-left" href={roadmapUrls.publicRoadmap(slug!, { format: 'csv', table: 'openings' })}>
              Télécharger les ouvertures (CSV)
            </a>
          </p>
          <div className="fr-table fr-table--bordered">
            <table>
              <caption className="fr-sr-only">Ouvertures annoncées</caption>
              <thead>
                <tr>
                  <th scope="col">Ouverture</th>
                  <th scope="col">Type</th>
                  <th scope="col">Échéance</th>
                  <th scope="col">Statut</th>
                </tr>
              </thead>
              <tbody>
                {d.openings.map((o) => (
                  <tr key={o.title}>
                    <th scope="row" style={{ fontWeight: 'normal' }}>
                      {o.title}
                    </th>
                    <td>{openingTypeLabels[o.type]}</td>
                    <td>{o.dueLabel}</td>
                    <td>
                      {openingStatusLabels[o.status]}
                      {o.availableOn ? ` le ${frDay(o.availableOn)}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
