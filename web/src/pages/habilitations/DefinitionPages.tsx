import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Table } from '@codegouvfr/react-dsfr/Table';
import { credentialKindLabels, eligibilityAnswerLabels, blockLabels } from '@patrimoine/contracts/habilitations';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useAuth } from '../../auth';
import { habUrls, useCreateRequest, useDefinition, useDefinitions, useForms, useOpenDataExports } from './api';
import { PageError, PageTitle } from '../../components/Page';

/** `/habilitations`: the APIs and datasets open on request. */
export function DefinitionsPage() {
  const q = useDefinitions();
  const user = useAuth().me?.user;
  return (
    <>
      <PageTitle>Habilitations</PageTitle>
      <p>Demandez l’accès aux API et aux données restreintes du ministère. Une demande validée ouvre l’accès à la passerelle d’API aussitôt.</p>
      {user && (
        <ul className="fr-btns-group fr-btns-group--inline">
          <li>
            <Link className="fr-btn fr-btn--secondary" to="/habilitations/mes-demandes">
              Mes demandes
            </Link>
          </li>
          <li>
            <Link className="fr-btn fr-btn--secondary" to="/habilitations/instruction">
              Instruction
            </Link>
          </li>
        </ul>
      )}
      <p>
        <Link to="/habilitations/donnees-ouvertes">Données ouvertes : les habilitations actives, mois par mois</Link>
      </p>
      <ErrorAlert error={q.error} />
      <div className="fr-grid-row fr-grid-row--gutters">
        {(q.data ?? []).map((d) => (
          <div key={d.id} className="fr-col-12 fr-col-md-6">
            <div className="fr-card fr-enlarge-link">
              <div className="fr-card__body">
                <div className="fr-card__content">
                  <h2 className="fr-card__title">
                    <Link to={`/habilitations/${d.id}`}>{d.name}</Link>
                  </h2>
                  <p className="fr-card__desc">{d.description}</p>
                  <p className="fr-card__detail">Fournisseur : {d.providerName}</p>
                </div>
              </div>
            </div>
          </div>
        ))}
      </div>
    </>
  );
}

/** `/habilitations/:id`: a definition, its eligibility (« qui êtes-vous ? ») and its forms. */
export function DefinitionPage() {
  const { id = '' } = useParams();
  const d = useDefinition(id);
  const forms = useForms(id);
  const user = useAuth().me?.user;
  const [who, setWho] = useState<number | null>(null);
  const create = useCreateRequest();
  const navigate = useNavigate();
  if (d.error) return <PageError error={d.error} />;
  if (!d.data) return <p>Chargement…</p>;
  const def = d.data;
  const rule = who === null ? null : def.eligibility[who];
  const eligible = def.eligibility.length === 0 || (rule && rule.answer !== 'no');
  return (
    <>
      <PageTitle>{def.name}</PageTitle>
      {def.myRoles.includes('manager') && (
        <p>
          <Link className="fr-btn fr-btn--secondary" to={`/habilitations/${def.id}/gestion`}>
            Gérer ce type d’habilitation
          </Link>
        </p>
      )}
      <p>{def.description}</p>
      <p>
        Fournisseur : {def.providerName}
        {def.validityMonths ? ` · habilitation valable ${def.validityMonths} mois, avec rappels avant échéance` : ''} · accès par{' '}
        {credentialKindLabels[def.credentialKind].toLowerCase()}
      </p>
      {def.cguUrl && (
        <p>
          <a href={def.cguUrl} target="_blank" rel="noreferrer">
            Conditions générales d’utilisation
          </a>
        </p>
      )}
      <h2>Données disponibles</h2>
      <Table
        headers={['Donnée', 'Groupe', '']}
        data={def.scopes.map((s) => [
          s.label,
          s.group,
          s.sensitive ? (
            <Badge key="b" severity="warning" small>
              Sensible
            </Badge>
          ) : (
            ''
          ),
        ])}
      />
      <h2>Étapes du formulaire</h2>
      <ol>
        {def.blocks.map((b) => (
          <li key={b}>{blockLabels[b]}</li>
        ))}
      </ol>
      {def.eligibility.length > 0 && (
        <RadioButtons
          legend="Qui êtes-vous ?"
          name="eligibilite"
          options={def.eligibility.map((e, i) => ({ label: e.who, nativeInputProps: { checked: who === i, onChange: () => setWho(i) } }))}
        />
      )}
      {rule && (
        <Alert
          severity={rule.answer === 'yes' ? 'success' : rule.answer === 'condition' ? 'warning' : 'error'}
          small
          title={eligibilityAnswerLabels[rule.answer]}
          description={rule.detail || (rule.answer === 'yes' ? 'Vous pouvez faire une demande.' : '')}
          className="fr-mb-3w"
        />
      )}
      {eligible && (
        <>
          <h2>Faire une demande</h2>
          {!user && (
            <p>
              <Link to={`/connexion?retour=/habilitations/${def.id}`}>Connectez-vous</Link> pour faire une demande.
            </p>
          )}
          <ErrorAlert error={create.error ?? forms.error} />
          {user &&
            (forms.data ?? []).map((f) => (
              <div key={f.uid} className="fr-mb-3w">
                <h3 className="fr-h6">{f.name}</h3>
                {f.description && <p>{f.description}</p>}
                <Button
                  disabled={create.isPending}
                  onClick={() =>
                    create.mutate({ definitionId: def.id, formUid: f.uid }, { onSuccess: (r) => void navigate(`/habilitations/demandes/${r.id}`) })
                  }
                >
                  Commencer avec « {f.name} »
                </Button>
              </div>
            ))}
          {user && forms.data?.length === 0 && (
            <Button onClick={() => create.mutate({ definitionId: def.id }, { onSuccess: (r) => void navigate(`/habilitations/demandes/${r.id}`) })}>
              Commencer la demande
            </Button>
          )}
        </>
      )}
    </>
  );
}

/** `/habilitations/donnees-ouvertes`: the monthly open files of active habilitations (like DataPass's open export). */
export function OpenDataPage() {
  const q = useOpenDataExports();
  return (
    <>
      <PageTitle>Données ouvertes des habilitations</PageTitle>
      <p>
        Chaque mois, la liste des habilitations actives à la fin du mois est publiée : organisation, SIRET, API, périmètre, dates. Aucune personne n’y figure.
        Fichiers CSV (UTF-8, séparateur point-virgule).
      </p>
      <p>
        <a href={habUrls.opendata()}>Habilitations actives aujourd’hui (CSV)</a>
      </p>
      <ErrorAlert error={q.error} />
      {q.data && q.data.length === 0 && <p>Aucun mois publié pour l’instant : le premier fichier paraît le 1er du mois suivant.</p>}
      {q.data && q.data.length > 0 && (
        <Table
          headers={['Mois', 'Fichier', 'Taille', 'Publié le']}
          data={q.data.map((e) => [
            e.month,
            <a key={e.file} href={e.url} download>
              {e.file}
            </a>,
            `${Math.max(1, Math.round(e.size / 1024))} ko`,
            new Date(e.publishedAt).toLocaleString('fr-FR'),
          ])}
        />
      )}
    </>
  );
}
