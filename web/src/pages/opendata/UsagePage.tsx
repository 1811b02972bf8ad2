import { useState } from 'react';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { ErrorAlert } from '../../components/ErrorAlert';
import { publicationUrls, useUsage } from './api';
import { PageTitle } from '../../components/Page';

/** Downloads per day (bar chart with the same figures as a table), per resource and per organisation, and the CSV. */
export function UsagePage() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const f = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const q = useUsage(f);
  const r = q.data;
  const max = r ? Math.max(1, ...r.days.map((d) => d.downloads)) : 1;
  return (
    <>
      <PageTitle>Téléchargements des données ouvertes</PageTitle>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-3">
          <Input label="Du" nativeInputProps={{ type: 'date', value: from, onChange: (e) => setFrom(e.target.value) }} />
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Input label="Au" nativeInputProps={{ type: 'date', value: to, onChange: (e) => setTo(e.target.value) }} />
        </div>
      </div>
      {q.error && <ErrorAlert error={q.error} />}
      {r && (
        <>
          <p>
            {`${r.total.toLocaleString('fr-FR')} téléchargement(s) du ${r.from} au ${r.to}`} —{' '}
            <a href={publicationUrls.usage({ ...f, format: 'csv' })} download>
              Télécharger le tableau (CSV)
            </a>
          </p>
          <svg
            role="img"
            aria-label={`Téléchargements par jour du ${r.from} au ${r.to}`}
            viewBox={`0 0 ${r.days.length * 12} 100`}
            style={{ width: '100%', height: '10rem' }}
          >
            {r.days.map((d, i) => {
              const h = (d.downloads / max) * 95;
              return (
                <rect key={d.day} x={i * 12 + 1} y={100 - h} width={10} height={h} fill="var(--background-action-high-blue-france)">
                  <title>{`${d.day} : ${d.downloads}`}</title>
                </rect>
              );
            })}
          </svg>
          <div className="fr-table fr-table--sm">
            <table>
              <caption>Téléchargements par ressource</caption>
              <thead>
                <tr>
                  <th scope="col">Organisation</th>
                  <th scope="col">Jeu de données</th>
                  <th scope="col">Ressource</th>
                  <th scope="col">Téléchargements</th>
                </tr>
              </thead>
              <tbody>
                {r.resources.map((x) => (
                  <tr key={x.resourceId}>
                    <td>{x.organisation ?? '—'}</td>
                    <td>{x.datasetTitle}</td>
                    <td>{x.resource}</td>
                    <td>{x.downloads.toLocaleString('fr-FR')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="fr-table fr-table--sm">
            <table>
              <caption>Téléchargements par jour</caption>
              <thead>
                <tr>
                  <th scope="col">Jour</th>
                  <th scope="col">Téléchargements</th>
                </tr>
              </thead>
              <tbody>
                {r.days
                  .filter((d) => d.downloads > 0)
                  .map((d) => (
                    <tr key={d.day}>
                      <td>{d.day}</td>
                      <td>{d.downloads}</td>
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
