import { useState } from 'react';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import {
  appointmentPositionLabels,
  appointmentPositions,
  governanceRoleLabels,
  governanceRoles,
  regions,
  type GovernanceRole,
} from '@patrimoine/contracts/governance';
import { ApiError } from '../../api/client';
import { OrganisationSelect } from '../../components/OrganisationSelect';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormErrors } from '../../components/FormErrors';
import { useAuth } from '../../auth';
import { CsvLink, GovernanceFrame, frDay, todayIso } from './common';
import { RegionMap, type RegionState } from './charts';
import { governanceUrls, useCreateAppointment, useNetwork, useUploadLetter, type Appointment, type NetworkSlot } from './api';

function Person({ a, canSeeLetter }: { a: Appointment; canSeeLetter: boolean }) {
  return (
    <>
      <strong>{a.personName}</strong>
      {a.position === 'suppleant' ? ' (suppléance)' : ''}
      <br />
      {a.email && <a href={`mailto:${a.email}`}>{a.email}</a>}
      {a.phone && (
        <>
          {' · '}
          <a href={`tel:${a.phone.replace(/\s/g, '')}`}>{a.phone}</a>
        </>
      )}
      <br />
      <span className="fr-text--xs">
        Depuis le {frDay(a.appointedOn)}
        {a.until ? `, jusqu’au ${frDay(a.until)}` : ''}
        {a.letter ? (
          <>
            {' · '}Lettre de mission du {frDay(a.letter.signedOn)} ({a.letter.signatory})
            {canSeeLetter && (
              <>
                {' '}
                <a href={governanceUrls.letter(a.id)} download>
                  PDF
                </a>
              </>
            )}
          </>
        ) : null}
      </span>
    </>
  );
}

function SlotState({ s }: { s: NetworkSlot }) {
  if (s.vacant)
    return (
      <Badge as="span" severity="error" small>
        Vacant
      </Badge>
    );
  if (s.missingLetter)
    return (
      <Badge as="span" severity="warning" small>
        Lettre de mission absente
      </Badge>
    );
  return (
    <Badge as="span" severity="success" small>
      Nommé, lettre reçue
    </Badge>
  );
}

function SlotTable({
  caption,
  slots,
  first,
  isAdmin,
  onLetter,
}: {
  caption: string;
  slots: NetworkSlot[];
  first: string;
  isAdmin: boolean;
  onLetter: (a: Appointment) => void;
}) {
  return (
    <div className="fr-table fr-table--no-caption">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{first}</th>
            <th scope="col">État</th>
            <th scope="col">Titulaire</th>
            <th scope="col">Suppléance</th>
            {isAdmin && <th scope="col">Lettre</th>}
          </tr>
        </thead>
        <tbody>
          {slots.map((s) => (
            <tr
              key={s.key}
              data-slot={s.key}
              className={s.vacant ? 'governance-vacant' : undefined}
              style={s.vacant ? { outline: '2px solid var(--border-plain-error, #ce0500)', outlineOffset: -2 } : undefined}
            >
              <th scope="row">{s.label}</th>
              <td>
                <SlotState s={s} />
              </td>
              <td>{s.titular ? <Person a={s.titular} canSeeLetter={isAdmin} /> : '—'}</td>
              <td>
                {s.deputies.length
                  ? s.deputies.map((d) => (
                      <div key={d.id}>
                        <Person a={d} canSeeLetter={isAdmin} />
                      </div>
                    ))
                  : '—'}
              </td>
              {isAdmin && (
                <td>
                  {s.titular && (
                    <Button size="small" priority="secondary" onClick={() => onLetter(s.titular!)}>
                      {s.titular.letter ? 'Remplacer la lettre' : 'Déposer la lettre'}
                    </Button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AppointForm() {
  const create = useCreateAppointment();
  const [role, setRole] = useState<GovernanceRole>('administrateur_metier');
  const [v, setV] = useState({
    position: 'titulaire',
    organisation: '',
    region: '',
    personName: '',
    email: '',
    phone: '',
    userLogin: '',
    appointedOn: todayIso(),
    until: '',
  });
  const [pub, setPub] = useState(true);
  const err = create.error instanceof ApiError ? create.error : null;
  const msg = (f: string) => err?.fieldMessage(f);
  const field = (k: keyof typeof v, label: string, type = 'text') => (
    <Input
      label={label}
      state={msg(k) ? 'error' : 'default'}
      stateRelatedMessage={msg(k)}
      nativeInputProps={{ type, value: v[k], onChange: (e) => setV({ ...v, [k]: e.target.value }), name: k }}
    />
  );
  return (
    <form
      aria-label="Nommer un membre du réseau"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          {
            role,
            position: v.position as 'titulaire',
            organisation: v.organisation || null,
            region: v.region || null,
            personName: v.personName,
            email: v.email,
            phone: v.phone || null,
            userLogin: v.userLogin || null,
            appointedOn: v.appointedOn,
            until: v.until || null,
            public: pub,
          },
          { onSuccess: () => setV({ ...v, personName: '', email: '', phone: '', userLogin: '' }) },
        );
      }}
    >
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Select label="Rôle" nativeSelectProps={{ value: role, onChange: (e) => setRole(e.target.value as GovernanceRole) }}>
            {governanceRoles.map((r) => (
              <option key={r} value={r}>
                {governanceRoleLabels[r]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Select label="Position" nativeSelectProps={{ value: v.position, onChange: (e) => setV({ ...v, position: e.target.value }) }}>
            {appointmentPositions.map((p) => (
              <option key={p} value={p}>
                {appointmentPositionLabels[p]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <OrganisationSelect label="Direction" value={v.organisation} onChange={(organisation) => setV({ ...v, organisation })} error={msg('organisation')} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Select
            label="Région (référent de préfecture)"
            state={msg('region') ? 'error' : 'default'}
            stateRelatedMessage={msg('region')}
            nativeSelectProps={{ value: v.region, onChange: (e) => setV({ ...v, region: e.target.value }) }}
          >
            <option value="">—</option>
            {regions.map((r) => (
              <option key={r.code} value={r.code}>
                {r.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-6">{field('personName', 'Nom et prénom')}</div>
        <div className="fr-col-12 fr-col-md-6">{field('email', 'Courriel professionnel', 'email')}</div>
        <div className="fr-col-12 fr-col-md-4">{field('phone', 'Téléphone (facultatif)', 'tel')}</div>
        <div className="fr-col-12 fr-col-md-4">{field('userLogin', 'Compte Patrimoine (identifiant, facultatif)')}</div>
        <div className="fr-col-12 fr-col-md-2">{field('appointedOn', 'Nommé(e) le', 'date')}</div>
        <div className="fr-col-12 fr-col-md-2">{field('until', 'Jusqu’au (facultatif)', 'date')}</div>
      </div>
      <Checkbox options={[{ label: 'Publier le nom sur la page publique', nativeInputProps: { checked: pub, onChange: (e) => setPub(e.target.checked) } }]} />
      <FormErrors error={create.error} />
      {create.isSuccess && <p role="status">Nomination enregistrée : {create.data.personName}.</p>}
      <Button type="submit" disabled={create.isPending}>
        Enregistrer la nomination
      </Button>
    </form>
  );
}

function LetterForm({ a, onDone }: { a: Appointment; onDone: () => void }) {
  const up = useUploadLetter();
  const [file, setFile] = useState<File | null>(null);
  const [signedOn, setSignedOn] = useState(todayIso());
  const [signatory, setSignatory] = useState('');
  const err = up.error instanceof ApiError ? up.error : null;
  const msg = (f: string) => err?.fieldMessage(f);
  return (
    <form
      aria-label={`Lettre de mission de ${a.personName}`}
      className="fr-p-3w fr-mb-3w"
      style={{ border: '1px solid var(--border-default-grey)' }}
      onSubmit={(e) => {
        e.preventDefault();
        up.mutate({ id: a.id, file, signedOn, signatory }, { onSuccess: onDone });
      }}
    >
      <h3 className="fr-h5">Lettre de mission de {a.personName}</h3>
      <div className={`fr-upload-group fr-mb-2w ${msg('letter') ? 'fr-input-group--error' : ''}`}>
        <label className="fr-label" htmlFor="letter-file">
          Lettre de mission (PDF)
          <span className="fr-hint-text">Fichier PDF de 5 Mo au plus.</span>
        </label>
        <input className="fr-upload" id="letter-file" type="file" accept="application/pdf,.pdf" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        {msg('letter') && <p className="fr-error-text">{msg('letter')}</p>}
      </div>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Input
            label="Signée le"
            state={msg('signedOn') ? 'error' : 'default'}
            stateRelatedMessage={msg('signedOn')}
            nativeInputProps={{ type: 'date', value: signedOn, onChange: (e) => setSignedOn(e.target.value) }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-8">
          <Input
            label="Signataire"
            state={msg('signatory') ? 'error' : 'default'}
            stateRelatedMessage={msg('signatory')}
            nativeInputProps={{ value: signatory, onChange: (e) => setSignatory(e.target.value) }}
          />
        </div>
      </div>
      <Button type="submit" disabled={up.isPending}>
        Enregistrer la lettre
      </Button>{' '}
      <Button type="button" priority="tertiary" onClick={onDone}>
        Annuler
      </Button>
    </form>
  );
}

/** The network's page (A41, A57–A60): who is who by directorate and by région, vacancies highlighted. */
export function NetworkPage() {
  const n = useNetwork();
  const { hasRole } = useAuth();
  const isAdmin = hasRole('admin');
  const [letterFor, setLetterFor] = useState<Appointment | null>(null);
  const d = n.data;
  const states: Record<string, { state: RegionState; label: string }> = {};
  for (const s of d?.regions ?? [])
    states[s.region!] = s.vacant ? { state: 'vacant', label: 'vacant' } : { state: s.missingLetter ? 'sans_lettre' : 'pourvu', label: s.titular!.personName };
  return (
    <GovernanceFrame title="Réseau des administrateurs des données">
      <ErrorAlert error={n.error} />
      {d && (
        <>
          <p>
            <strong data-kpi="directions">
              {d.summary.directoratesFilled}/{d.summary.directorates}
            </strong>{' '}
            directions dotées d’un administrateur des données métiers (A57), dont {d.summary.directoratesWithLetter} avec lettre de mission (A58) ;{' '}
            <strong data-kpi="regions">
              {d.summary.regionsFilled}/{d.summary.regions}
            </strong>{' '}
            préfectures de région dotées d’un référent (A59), dont {d.summary.regionsWithLetter} avec lettre (A60).
          </p>
          <p>
            <CsvLink href={governanceUrls.appointmentsCsv()} label="Exporter l’annuaire (CSV)" />{' '}
            <a href="/transparence/gouvernance">Page publique (noms publiés)</a>
          </p>
          {letterFor && <LetterForm a={letterFor} onDone={() => setLetterFor(null)} />}
          <h2 className="fr-h4">Rôles ministériels</h2>
          <SlotTable caption="Rôles ministériels" slots={d.ministerial} first="Rôle" isAdmin={isAdmin} onLetter={setLetterFor} />
          <h2 className="fr-h4">Par direction</h2>
          <SlotTable
            caption="Administrateurs des données métiers par direction"
            slots={d.directorates}
            first="Direction"
            isAdmin={isAdmin}
            onLetter={setLetterFor}
          />
          <h2 className="fr-h4">Par région</h2>
          <RegionMap
            title="Référents données, algorithmes et codes sources des préfectures de région"
            states={states}
            table={<SlotTable caption="Référents par région" slots={d.regions} first="Région" isAdmin={isAdmin} onLetter={setLetterFor} />}
          />
          {isAdmin && (
            <section className="fr-mt-4w">
              <h2 className="fr-h4">Nommer un membre du réseau</h2>
              <AppointForm />
            </section>
          )}
        </>
      )}
    </GovernanceFrame>
  );
}
