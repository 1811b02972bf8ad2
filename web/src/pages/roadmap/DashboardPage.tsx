import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { actionStatusLabels, actionStatuses, timelinessLabels, type Timeliness } from '@patrimoine/contracts/roadmap';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { CsvLink, RoadmapFrame, StatusBadge, base, useRoadmap, SectionOptions, ContributorOptions, StatusOptions } from './common';
import { BurnupChart, StackedBars, type Series } from './charts';
import { frDate, statusColour, timelinessColour } from './format';
import { roadmapUrls, useRoadmapDashboard, type GroupStats } from './api';
import { theme } from '../../components/theme';
import { word } from '../../components/plural';

const KEYS = ['section', 'contributeur', 'statut'] as const;
const statusSeries: Series[] = actionStatuses.map((s) => ({ key: s, label: actionStatusLabels[s], colour: statusColour[s] }));
const timelinessKeys: Timeliness[] = ['a_temps', 'en_retard', 'date_inconnue', 'a_venir'];
const timelinessSeries: Series[] = timelinessKeys.map((k) => ({ key: k, label: timelinessLabels[k], colour: timelinessColour[k] }));

function StatsTable({ caption, rows, first }: { caption: string; rows: GroupStats[]; first: string }) {
  return (
    <div className="fr-table fr-table--no-caption fr-mb-1w">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{first}</th>
            <th scope="col">Actions</th>
            {actionStatuses.map((s) => (
              <th scope="col" key={s}>
                {actionStatusLabels[s]}
              </th>
            ))}
            <th scope="col">En retard</th>
            <th scope="col">Avancement moyen</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td>{r.total}</td>
              {actionStatuses.map((s) => (
                <td key={s}>{r[s]}</td>
              ))}
              <td>{r.overdue}</td>
              <td>{r.meanProgress} %</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Section({ title, csv, children }: { title: string; csv: string; children: ReactNode }) {
  return (
    <section className="fr-mb-6w">
      <div className="fr-grid-row fr-grid-row--middle" style={{ gap: '1rem' }}>
        <h2 className="fr-h4 fr-mb-1w">{title}</h2>
        <CsvLink href={csv} label="CSV" />
      </div>
      {children}
    </section>
  );
}

/** Dashboards of the roadmap: progress by part, organisation and semester, late and upcoming actions, openings, burn-up. */
export function DashboardPage() {
  const { slug, roadmap } = useRoadmap();
  const [f, set] = useUrlState(KEYS);
  const filters = { section: f.section, contributor: f.contributeur, status: f.statut };
  const r = useRoadmapDashboard(slug, filters);
  const csv = (table: string) => roadmapUrls.dashboard(slug, { ...filters, format: 'csv', table });
  const d = r.data;
  const rows = (g: GroupStats[]) =>
    g.map((x) => ({ key: x.key, label: x.label, values: { a_lancer: x.a_lancer, en_cours: x.en_cours, realisee: x.realisee, abandonnee: x.abandonnee } }));
  const describe = (g: GroupStats[]) => g.map((x) => `${x.label} : ${x.realisee} réalisée(s) sur ${x.total}, ${x.overdue} en retard`).join(' ; ');
  return (
    <RoadmapFrame title="Tableau de bord">
      <form className="fr-grid-row fr-grid-row--gutters" aria-label="Filtrer le tableau de bord" onSubmit={(e) => e.preventDefault()}>
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Partie ou section" nativeSelectProps={{ value: f.section, onChange: (e) => set({ section: e.target.value }) }}>
            <option value="">Toutes</option>
            <SectionOptions roadmap={roadmap} />
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Organisation contributrice" nativeSelectProps={{ value: f.contributeur, onChange: (e) => set({ contributeur: e.target.value }) }}>
            <option value="">Toutes</option>
            <ContributorOptions roadmap={roadmap} />
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select label="Statut" nativeSelectProps={{ value: f.statut, onChange: (e) => set({ statut: e.target.value }) }}>
            <option value="">Tous</option>
            <StatusOptions />
          </Select>
        </div>
      </form>
      <ErrorAlert error={r.error} />
      {d && (
        <>
          <ul className="fr-grid-row fr-grid-row--gutters fr-raw-list fr-my-3w" aria-label="Chiffres clés">
            {[
              { k: 'actions', n: d.totals.total, l: word(d.totals.total, 'action') },
              { k: 'réalisées', n: d.totals.realisee, l: word(d.totals.realisee, 'réalisée') },
              { k: 'en cours', n: d.totals.en_cours, l: 'en cours' },
              { k: 'en retard', n: d.totals.overdue, l: 'en retard' },
              { k: 'avancement moyen', n: `${d.totals.meanProgress} %`, l: 'avancement moyen' },
              {
                k: 'ouvertures disponibles',
                n: `${d.openings.byStatus.disponible}/${d.openings.total}`,
                l: word(d.openings.byStatus.disponible, 'ouverture disponible'),
              },
            ].map((k) => (
              <li key={k.k} className="fr-col-6 fr-col-md-2">
                <div className="fr-p-2w" style={{ borderLeft: `4px solid ${theme.blueBorder}`, background: theme.raised }}>
                  <span className="fr-h3 fr-mb-0" style={{ display: 'block' }} data-kpi={k.k}>
                    {k.n}
                  </span>
                  {k.l}
                </div>
              </li>
            ))}
          </ul>
          <p className="fr-text--sm">
            Situation au {frDate(d.asOf)} ; « en retard » : échéance (fin du semestre ou du trimestre) dépassée sans que l’action soit réalisée ou abandonnée.
          </p>

          <Section title="Avancement par partie de la feuille de route" csv={csv('bySection')}>
            <StackedBars
              title="Actions par partie et par statut"
              rows={rows(d.bySection)}
              series={statusSeries}
              description={describe(d.bySection)}
              table={<StatsTable caption="Actions par partie" rows={d.bySection} first="Partie" />}
            />
            <details>
              <summary>Détail par section</summary>
              <StatsTable caption="Actions par section" rows={d.bySubsection.map((s) => ({ ...s, label: `${s.key} ${s.label}` }))} first="Section" />
              <CsvLink href={csv('bySubsection')} label="CSV par section" />
            </details>
          </Section>

          <Section title="Avancement par organisation contributrice" csv={csv('byContributor')}>
            <StackedBars
              title="Actions par organisation contributrice et par statut"
              rows={rows(d.byContributor).map((x) => ({ ...x, label: x.key }))}
              series={statusSeries}
              description={describe(d.byContributor)}
              table={<StatsTable caption="Actions par organisation" rows={d.byContributor} first="Organisation" />}
            />
          </Section>

          <Section title="Avancement par semestre d’échéance" csv={csv('bySemester')}>
            <StackedBars
              title="Actions par semestre d’échéance et par statut"
              rows={rows(d.bySemester)}
              series={statusSeries}
              description={describe(d.bySemester)}
              table={<StatsTable caption="Actions par semestre" rows={d.bySemester} first="Semestre" />}
            />
          </Section>

          <Section title={`Actions en retard (${d.overdue.length})`} csv={csv('overdue')}>
            {d.overdue.length === 0 ? (
              <p>Aucune action en retard.</p>
            ) : (
              <div className="fr-table">
                <table>
                  <caption className="fr-sr-only">Actions en retard</caption>
                  <thead>
                    <tr>
                      <th scope="col">Code</th>
                      <th scope="col">Action</th>
                      <th scope="col">Échéance</th>
                      <th scope="col">Statut</th>
                      <th scope="col">Avancement</th>
                      <th scope="col">Contributeurs</th>
                      <th scope="col">Dernière note</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.overdue.map((a) => (
                      <tr key={a.code}>
                        <th scope="row">
                          <Link to={`${base(slug)}/actions/${a.code}`}>{a.code}</Link>
                        </th>
                        <td>{a.title}</td>
                        <td>{a.deadlineLabel}</td>
                        <td>
                          <StatusBadge status={a.status} />
                        </td>
                        <td>{a.progress} %</td>
                        <td>{a.contributors.join(', ')}</td>
                        <td className="fr-text--sm">{a.lastNote ? `${frDate(a.lastNote.at)} : ${a.lastNote.note}` : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>

          <Section title={`Échéances des six prochains mois (${d.upcoming.length})`} csv={csv('upcoming')}>
            {d.upcoming.length === 0 ? (
              <p>Aucune échéance dans les six prochains mois.</p>
            ) : (
              <div className="fr-table">
                <table>
                  <caption className="fr-sr-only">Échéances des six prochains mois</caption>
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
                    {d.upcoming.map((a) => (
                      <tr key={`${a.code}-${a.deadlineLabel}`}>
                        <th scope="row">
                          <Link to={`${base(slug)}/actions/${a.code}`}>{a.code}</Link>
                        </th>
                        <td>{a.title}</td>
                        <td>{a.deadlineLabel}</td>
                        <td>
                          <StatusBadge status={a.status} />
                        </td>
                        <td>{a.progress} %</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>

          <Section title="Ouvertures livrées à temps ou en retard" csv={csv('openingsByQuarter')}>
            <StackedBars
              title="Ouvertures par trimestre d’échéance et par délai"
              rows={d.openings.byQuarter.map((q) => ({ key: q.key, label: q.label, values: Object.fromEntries(timelinessKeys.map((k) => [k, q[k]])) }))}
              series={timelinessSeries}
              description={`${d.openings.timeliness.a_temps} ouverture(s) livrée(s) dans les délais, ${d.openings.timeliness.en_retard} en retard, ${d.openings.timeliness.date_inconnue} disponible(s) à une date inconnue, ${d.openings.timeliness.a_venir} à venir.`}
              table={
                <div className="fr-table fr-table--no-caption">
                  <table>
                    <caption>Ouvertures par trimestre</caption>
                    <thead>
                      <tr>
                        <th scope="col">Trimestre</th>
                        <th scope="col">Ouvertures</th>
                        {timelinessKeys.map((k) => (
                          <th scope="col" key={k}>
                            {timelinessLabels[k]}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {d.openings.byQuarter.map((q) => (
                        <tr key={q.key}>
                          <th scope="row">{q.label}</th>
                          <td>{q.total}</td>
                          {timelinessKeys.map((k) => (
                            <td key={k}>{q[k]}</td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              }
            />
          </Section>

          <Section title="Burn-up" csv={csv('burnup')}>
            <BurnupChart points={d.burnup} />
          </Section>
          {d.gaps.length > 0 && (
            <section className="fr-mb-6w" aria-labelledby="roadmap-gaps">
              <h2 id="roadmap-gaps" className="fr-h4 fr-mb-1w">
                Lacunes signalées ({d.gaps.length})
              </h2>
              <div className="fr-table">
                <table>
                  <caption>Lacunes du réseau des administrateurs des données (annuaire de la gouvernance)</caption>
                  <thead>
                    <tr>
                      <th scope="col">Action</th>
                      <th scope="col">Organisation</th>
                      <th scope="col">Lacune</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.gaps.map((g, i) => (
                      <tr key={i} data-gap={`${g.actionCode}:${g.organisation ?? ''}`}>
                        <th scope="row">
                          <Link to={`${base(slug)}/actions/${g.actionCode}`}>{g.actionCode}</Link>
                        </th>
                        <td>{g.organisation ?? '—'}</td>
                        <td>{g.label}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          )}
        </>
      )}
    </RoadmapFrame>
  );
}
