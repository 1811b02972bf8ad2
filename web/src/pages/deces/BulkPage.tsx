import { useState, type FormEvent } from 'react';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Upload } from '@codegouvfr/react-dsfr/Upload';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { bulkDateFormatLabels, bulkDateFormats, personFieldLabels, type PersonField } from '@patrimoine/contracts/deces';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useUrlState } from '../../components/useUrlState';
import { BarChart } from './BarChart';
import { bulkFrenchUrl, bulkResultUrl, useBulkSummary, useCancelBulk, useStartBulk } from './api';
import { BulkReview } from './BulkReview';
import { PageTitle } from '../../components/Page';

/** Search fields a column can be mapped to, with the column names that suggest them. */
const TARGETS: readonly (readonly [PersonField, RegExp])[] = [
  ['lastName', /^(nom|nom.?naissance|last.?name|surname|nom_?de_?famille)$/i],
  ['legalName', /usage|epouse|marital|legal/i],
  ['firstName', /pr[eé]nom|first.?name|given/i],
  ['sex', /^(sexe|sex|genre)$/i],
  ['birthDate', /(date.?)?naiss|birth.?date|ddn/i],
  ['birthCity', /(lieu|commune|ville).?(de.?)?naiss|birth.?city/i],
  ['birthLocationCode', /code.?(insee|lieu|commune).?naiss|birth.?(location.?)?code/i],
  ['birthDepartment', /dep.*naiss|birth.?dep/i],
  ['birthCountry', /pays.?naiss|birth.?country/i],
  ['deathDate', /d[eé]c[eè]s|death.?date/i],
];
type Target = PersonField;

/** Splits one CSV line (quotes allowed) for the preview; the server parses the file itself. */
function splitCsv(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Bulk matching: upload, column mapping with a preview, progress, download and match-rate summary. */
export function BulkPage() {
  const [s, set] = useUrlState(['tache', 'lignes'] as const);
  const [file, setFile] = useState<File | null>(null);
  const [encoding, setEncoding] = useState('utf8');
  const [preview, setPreview] = useState<{ sep: string; header: string[]; rows: string[][] } | null>(null);
  const [mapping, setMapping] = useState<Partial<Record<Target, string>>>({});
  const [dateFormat, setDateFormat] = useState('auto');
  const [candidates, setCandidates] = useState('1');
  const starting = useStartBulk();
  const error = starting.error instanceof ApiError ? starting.error : null;

  async function readPreview(f: File, enc: string) {
    const buf = await f.slice(0, 64 * 1024).arrayBuffer();
    const text = new TextDecoder(enc === 'latin1' ? 'windows-1252' : 'utf-8').decode(buf).replace(/^\uFEFF/, '');
    const lines = text
      .split(/\r?\n/)
      .filter((l) => l.trim())
      .slice(0, 6);
    const first = lines[0] ?? '';
    const sep = [';', ',', '\t', '|'].map((x) => ({ x, n: first.split(x).length })).sort((a, b) => b.n - a.n)[0]!.x;
    const header = splitCsv(first, sep).map((h) => h.trim());
    setPreview({ sep, header, rows: lines.slice(1).map((l) => splitCsv(l, sep)) });
    const guess: Partial<Record<Target, string>> = {};
    for (const [t, re] of TARGETS) {
      const h = header.find((x) => re.test(x) && !Object.values(guess).includes(x));
      if (h) guess[t] = h;
    }
    setMapping(guess);
  }

  function start(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    const fd = new FormData();
    for (const [k, v] of Object.entries(mapping)) if (v) fd.append(k, v);
    fd.append('encoding', encoding);
    fd.append('dateFormat', dateFormat);
    fd.append('candidateNumber', candidates);
    if (preview) fd.append('sep', preview.sep === '\t' ? 'tab' : preview.sep);
    fd.append('file', file);
    starting.mutate(fd, { onSuccess: (r) => set({ tache: r.id }) });
  }

  const job = useBulkSummary(s.tache || undefined);
  const cancelling = useCancelBulk(s.tache || undefined);

  if (s.tache) {
    const j = job.data;
    const failed = j?.result ? (j.result.failed ?? j.result.errors.length) : 0;
    return (
      <>
        <PageTitle>Appariement en masse</PageTitle>
        <ErrorAlert error={job.error ?? cancelling.error} />
        {j && (
          <>
            <p>
              Fichier <strong>{j.fileName}</strong>
            </p>
            {['wait', 'active'].includes(j.status) && (
              <>
                <label htmlFor="bulk-progress">
                  {j.status === 'wait' ? 'En attente de démarrage…' : `Traitement : ${j.progress.rows} / ${j.progress.total} lignes`}
                </label>
                <div>
                  <progress id="bulk-progress" max={100} value={j.progress.percentage} style={{ width: '100%' }}>
                    {j.progress.percentage} %
                  </progress>
                </div>
                <p role="status">{j.progress.percentage} %</p>
                <Button priority="secondary" onClick={() => cancelling.mutate()}>
                  Annuler l’appariement
                </Button>
              </>
            )}
            {j.state === 'cancelled' && <Alert severity="warning" small description="Appariement annulé." className="fr-mb-2w" />}
            {j.state === 'failed' && <Alert severity="error" title="Échec de l’appariement" description={j.error ?? ''} className="fr-mb-2w" />}
            {j.state === 'succeeded' && j.result && (
              <>
                <Alert severity="success" small description={`Terminé : ${j.result.rows} lignes traitées.`} className="fr-mb-2w" />
                <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
                  <li>
                    <a className="fr-btn fr-icon-download-line" href={bulkFrenchUrl(j.id)}>
                      Télécharger le résultat en CSV français
                    </a>
                  </li>
                  <li>
                    <a className="fr-btn fr-btn--secondary fr-icon-download-line" href={bulkResultUrl(j.id)}>
                      Télécharger le résultat (CSV)
                    </a>
                  </li>
                </ul>
                <p className="fr-text--sm">
                  Le CSV français : dates JJ/MM/AAAA, scores en pourcentage, raisons et vos décisions, séparateur point-virgule. L’autre est le format de
                  matchID, pour ses outils.
                </p>
                <h2>Résumé</h2>
                <ul>
                  <li>
                    Lignes appariées : <strong>{j.result.matched}</strong> ({j.result.rows ? Math.round((100 * j.result.matched) / j.result.rows) : 0} %)
                  </li>
                  <li>Sans correspondance : {j.result.unmatched}</li>
                  <li>Lignes en erreur : {failed}</li>
                </ul>
                <BarChart
                  title="Lignes par score du meilleur candidat"
                  unit="lignes"
                  horizontal
                  data={[
                    { label: 'score ≥ 0,9', value: j.result.scoreBuckets['>= 0,9'] ?? 0 },
                    { label: 'score 0,7 à 0,9', value: j.result.scoreBuckets['0,7–0,9'] ?? 0 },
                    { label: 'score < 0,7', value: j.result.scoreBuckets['< 0,7'] ?? 0 },
                    { label: 'sans correspondance', value: j.result.unmatched },
                    { label: 'en erreur', value: failed },
                  ]}
                />
                {j.result.errors.length > 0 && (
                  <>
                    <h3>Lignes en erreur</h3>
                    <ul>
                      {j.result.errors.slice(0, 50).map((e) => (
                        <li key={e.line}>
                          Ligne {e.line} : {e.message}
                        </li>
                      ))}
                    </ul>
                  </>
                )}
                {j.expiresAt && <p className="fr-text--sm">Résultat conservé jusqu’au {new Date(j.expiresAt).toLocaleString('fr-FR')}.</p>}
                <BulkReview id={j.id} />
              </>
            )}
            <Button priority="tertiary" onClick={() => set({ tache: null, lignes: null })}>
              Nouvel appariement
            </Button>
          </>
        )}
      </>
    );
  }

  return (
    <>
      <PageTitle>Appariement en masse</PageTitle>
      <p>
        Déposez un fichier CSV de personnes : chaque ligne est comparée au fichier des décès, et le résultat reprend vos colonnes suivies du meilleur candidat
        et de son score.
      </p>
      <form onSubmit={start} aria-label="Appariement d’un fichier">
        {starting.error && !error?.errors.length && <ErrorAlert error={starting.error} />}
        <Upload
          label="Fichier CSV"
          hint="Une ligne d’en-tête, séparateur ; , ou tabulation"
          state={error?.fieldMessage('file') ? 'error' : 'default'}
          stateRelatedMessage={error?.fieldMessage('file')}
          nativeInputProps={{
            accept: '.csv,text/csv',
            onChange: (e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              if (f) void readPreview(f, encoding);
            },
          }}
        />
        <Select
          label="Encodage"
          nativeSelectProps={{
            value: encoding,
            onChange: (e) => {
              setEncoding(e.target.value);
              if (file) void readPreview(file, e.target.value);
            },
          }}
        >
          <option value="utf8">UTF-8</option>
          <option value="latin1">Latin-1 (Windows)</option>
        </Select>
        {preview && (
          <>
            <h2>Aperçu des premières lignes</h2>
            <div className="fr-table">
              <table>
                <caption>Aperçu du fichier</caption>
                <thead>
                  <tr>
                    {preview.header.map((h) => (
                      <th key={h} scope="col">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((r, i) => (
                    <tr key={i}>
                      {preview.header.map((h, j) => (
                        <td key={h}>{r[j] ?? ''}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h2>Correspondance des colonnes</h2>
            <div className="fr-grid-row fr-grid-row--gutters">
              {TARGETS.map(([t]) => (
                <div key={t} className="fr-col-12 fr-col-md-4">
                  <Select
                    label={personFieldLabels[t]}
                    state={error?.fieldMessage(t) ? 'error' : 'default'}
                    stateRelatedMessage={error?.fieldMessage(t)}
                    nativeSelectProps={{ value: mapping[t] ?? '', onChange: (e) => setMapping({ ...mapping, [t]: e.target.value }) }}
                  >
                    <option value="">— aucune —</option>
                    {preview.header.map((h) => (
                      <option key={h} value={h}>
                        {h}
                      </option>
                    ))}
                  </Select>
                </div>
              ))}
            </div>
            <div className="fr-grid-row fr-grid-row--gutters">
              <div className="fr-col-12 fr-col-md-4">
                <Select
                  label="Format des dates"
                  hint="Une année seule (1919) ou un mois et une année (03/1919) se lisent avec tout format."
                  state={error?.fieldMessage('dateFormat') ? 'error' : 'default'}
                  stateRelatedMessage={error?.fieldMessage('dateFormat')}
                  nativeSelectProps={{ value: dateFormat, onChange: (e) => setDateFormat(e.target.value) }}
                >
                  {bulkDateFormats.map((f) => (
                    <option key={f} value={f}>
                      {bulkDateFormatLabels[f]}
                    </option>
                  ))}
                </Select>
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <Input
                  label="Candidats par ligne"
                  state={error?.fieldMessage('candidateNumber') ? 'error' : 'default'}
                  stateRelatedMessage={error?.fieldMessage('candidateNumber')}
                  nativeInputProps={{ type: 'number', min: 1, max: 10, value: candidates, onChange: (e) => setCandidates(e.target.value) }}
                />
              </div>
            </div>
            <Button type="submit">Lancer l’appariement</Button>
          </>
        )}
      </form>
    </>
  );
}
