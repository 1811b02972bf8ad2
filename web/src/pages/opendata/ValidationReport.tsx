import { errorTypeLabels, personalKindLabels, type PersonalKindWire } from '@patrimoine/contracts/opendata';

/** One error of a validation report, as the validation endpoint and a version's report give it. */
export interface ReportError {
  type: string;
  rowNumber: number | null;
  fieldName: string | null;
  message: string;
}

/** The counts per error type, to the end of the file (« Valeur hors de la liste : 3 · … »). */
export function errorCountsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([t, n]) => `${errorTypeLabels[t] ?? t} : ${n}`)
    .join(' · ');
}

/** The errors of a validation report: line, column, type, message (« Valider un fichier » and a version's page). */
export function ErrorTable({ errors, caption }: { errors: readonly ReportError[]; caption: string }) {
  return (
    <div className="fr-table">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Ligne</th>
            <th scope="col">Colonne</th>
            <th scope="col">Type</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e, i) => (
            <tr key={i}>
              <td>{e.rowNumber ?? '—'}</td>
              <td>{e.fieldName ?? '—'}</td>
              <td>{errorTypeLabels[e.type] ?? e.type}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The personal-data verdicts per column: nature and share of the cells. */
export function PersonalDataTable({ verdicts }: { verdicts: readonly { fieldName: string; kinds: readonly string[]; share: number }[] }) {
  return (
    <div className="fr-table">
      <table>
        <caption>Colonnes à données personnelles</caption>
        <thead>
          <tr>
            <th scope="col">Colonne</th>
            <th scope="col">Nature</th>
            <th scope="col">Part des cellules</th>
          </tr>
        </thead>
        <tbody>
          {verdicts.map((p) => (
            <tr key={p.fieldName}>
              <td>{p.fieldName}</td>
              <td>{p.kinds.map((k) => personalKindLabels[k as PersonalKindWire] ?? k).join(', ')}</td>
              <td>{Math.round(p.share * 100)} %</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
