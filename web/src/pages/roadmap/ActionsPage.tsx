import { Link } from 'react-router';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { RoadmapFrame, StatusBadge, CsvLink, base, useRoadmap, SectionOptions, ContributorOptions, StatusOptions } from './common';
import { frDate } from './format';
import { Progress } from './charts';
import { roadmapUrls, useRoadmapActions } from './api';

const KEYS = ['statut', 'section', 'contributeur', 'retard'] as const;

/** The actions of a roadmap, filtered (filters in the URL), with their state and latest note. */
export function ActionsPage() {
  const { slug, roadmap } = useRoadmap();
  const [f, set] = useUrlState(KEYS);
  const filters = {
    status: f.statut,
    section: f.section,
    contributor: f.contributeur,
    overdue: f.retard === 'oui' ? 'true' : f.retard === 'non' ? 'false' : '',
  };
  const r = useRoadmapActions(slug, filters);
  const items = r.data?.items ?? [];
  const overdue = items.filter((a) => a.overdue).length;
  return (
    <RoadmapFrame title="Actions de la feuille de route">
      <form className="fr-grid-row fr-grid-row--gutters" aria-label="Filtrer les actions" onSubmit={(e) => e.preventDefault()}>
        <div className="fr-col-12 fr-col-md-3">
          <Select label="Statut" nativeSelectProps={{ value: f.statut, onChange: (e) => set({ statut: e.target.value }) }}>
            <option value="">Tous</option>
            <StatusOptions />
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Select label="Section" nativeSelectProps={{ value: f.section, onChange: (e) => set({ section: e.target.value }) }}>
            <option value="">Toutes</option>
            <SectionOptions roadmap={roadmap} />
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Select label="Contributeur" nativeSelectProps={{ value: f.contributeur, onChange: (e) => set({ contributeur: e.target.value }) }}>
            <option value="">Tous</option>
            <ContributorOptions roadmap={roadmap} />
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Select label="En retard" nativeSelectProps={{ value: f.retard, onChange: (e) => set({ retard: e.target.value }) }}>
            <option value="">Toutes</option>
            <option value="oui">En retard</option>
            <option value="non">Pas en retard</option>
          </Select>
        </div>
      </form>
      <ErrorAlert error={r.error} />
      {r.isLoading && <p>Chargement…</p>}
      {r.data && (
        <>
          <div className="fr-grid-row fr-grid-row--middle fr-mt-2w fr-mb-2w" style={{ gap: '1rem' }}>
            <p className="fr-mb-0" role="status">
              <strong>{r.data.total}</strong> action(s), dont <strong>{overdue}</strong> en retard à la date du jour.
            </p>
            <CsvLink href={roadmapUrls.actions(slug, { ...filters, format: 'csv' })} />
          </div>
          <div className="fr-table fr-table--bordered">
            <table>
              <caption className="fr-sr-only">Actions de la feuille de route</caption>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Action</th>
                  <th scope="col">Section</th>
                  <th scope="col">Échéance</th>
                  <th scope="col">Statut</th>
                  <th scope="col">Avancement</th>
                  <th scope="col">Contributeurs</th>
                  <th scope="col">Dernière note</th>
                </tr>
              </thead>
              <tbody>
                {items.map((a) => (
                  <tr key={a.id} data-code={a.code}>
                    <th scope="row">
                      <Link to={`${base(slug)}/actions/${a.code}`}>{a.code}</Link>
                    </th>
                    <td>
                      {a.title}
                      {a.sourceNote && (
                        <p className="fr-text--xs fr-mb-0 fr-mt-1v">
                          <span className="fr-icon-warning-line fr-icon--sm" aria-hidden="true" /> Remarque sur la source : {a.sourceNote}
                        </p>
                      )}
                    </td>
                    <td>{a.section}</td>
                    <td>{a.deadlineLabel}</td>
                    <td>
                      <StatusBadge status={a.status} overdue={a.overdue} />
                    </td>
                    <td>
                      <Progress value={a.progress} label={a.code} />
                    </td>
                    <td>{[...a.contributors.map((c) => c.code), ...a.collectiveContributors].join(', ')}</td>
                    <td className="fr-text--sm">
                      {a.lastNote ? `${frDate(a.lastNote.at)} — ${a.lastNote.note.length > 120 ? `${a.lastNote.note.slice(0, 119)}…` : a.lastNote.note}` : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </RoadmapFrame>
  );
}
