import { Link, useNavigate, useParams } from 'react-router';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { kindLabels, lifecycleLabels, opennessLabels } from '@patrimoine/contracts/catalog';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { AssetForm, emptyForm, formOf } from './AssetForm';
import { useAsset, useDeleteAsset, type AssetDetail } from './api';
import { assetPath } from './presentation';
import { PageError, PageTitle } from '../../components/Page';

export function CreateAssetPage() {
  const { me } = useAuth();
  return (
    <>
      <PageTitle>Décrire un nouvel actif</PageTitle>
      <p>Décrivez l’actif une fois : il sera relié aux autres, mesuré et exporté vers les plateformes nationales.</p>
      <AssetForm initial={emptyForm('application', me?.user?.role === 'admin' ? '' : (me?.user?.organisationCode ?? ''))} />
    </>
  );
}

export function EditAssetPage() {
  const { kind = '', slug = '' } = useParams();
  const r = useAsset(kind, slug);
  if (r.error) return <PageError error={r.error} />;
  if (!r.data) return <p>Chargement…</p>;
  const a = r.data.asset;
  // The server says whether this account may change the asset, and why not: no editable form then.
  if (!r.data.canEdit) return <ReadOnlyAsset detail={r.data} />;
  return (
    <>
      <p>
        <Link to={assetPath(a)}>← Retour à la fiche</Link>
      </p>
      <PageTitle>Modifier « {a.title} »</PageTitle>
      <AssetForm key={`${a.ref}-${a.version}`} initial={formOf(a)} existing={a} />
      <DeleteAsset kind={a.kind} slug={a.slug} title={a.title} />
    </>
  );
}

/** What a person who may not change the asset sees at its edit address: the reason, and the description read-only. */
function ReadOnlyAsset({ detail }: { detail: AssetDetail }) {
  const a = detail.asset;
  const rows: [string, string][] = [
    ['Type', kindLabels[a.kind]],
    ['Organisation propriétaire', a.owner ? `${a.ownerName ?? a.owner} (${a.owner})` : 'aucune'],
    ['Description', a.description || '—'],
    ['Cycle de vie', lifecycleLabels[a.lifecycle]],
    ['Ouverture', opennessLabels[a.openness]],
    ['Données personnelles', a.personalData ? 'oui' : 'non'],
    ['Mots-clés', a.tags.join(', ') || '—'],
    ['Contacts', a.contacts.map((c) => `${c.name}${c.email ? ` <${c.email}>` : ''}`).join(', ') || '—'],
    ['Dernière modification', `${new Date(a.updatedAt).toLocaleString('fr-FR')}`],
  ];
  return (
    <>
      <p>
        <Link to={assetPath(a)}>← Retour à la fiche</Link>
      </p>
      <PageTitle>« {a.title} » — lecture seule</PageTitle>
      <Alert
        severity="warning"
        title="Vous ne pouvez pas modifier cet actif"
        description={detail.editRefusal ?? 'Vous ne pouvez pas modifier cet actif.'}
        className="fr-mb-3w"
      />
      <div className="fr-table fr-table--no-caption">
        <table>
          <caption>Description actuelle de l’actif</caption>
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td style={{ whiteSpace: 'pre-wrap' }}>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {a.contacts.some((c) => c.email) && (
        <p>
          Pour proposer un changement, écrivez à{' '}
          {a.contacts
            .filter((c) => c.email)
            .map((c, i) => (
              <span key={c.email}>
                {i > 0 && ', '}
                <a href={`mailto:${c.email}`}>{c.name}</a>
              </span>
            ))}
          .
        </p>
      )}
    </>
  );
}

/** Deletion (admin and data administrators; the history is kept). */
function DeleteAsset({ kind, slug, title }: { kind: string; slug: string; title: string }) {
  const { hasRole } = useAuth();
  const navigate = useNavigate();
  const del = useDeleteAsset();
  if (!hasRole('admin', 'data_admin')) return null;
  return (
    <section className="fr-mt-6w" aria-labelledby="delete-title">
      <h2 id="delete-title" className="fr-h5">
        Supprimer l’actif
      </h2>
      <p>Ses relations sont supprimées ; son historique reste consultable dans le journal d’audit.</p>
      <ErrorAlert error={del.error} />
      <Button
        priority="secondary"
        iconId="fr-icon-delete-line"
        disabled={del.isPending}
        onClick={() => {
          if (!window.confirm(`Supprimer définitivement « ${title} » du catalogue ?`)) return;
          del.mutate({ kind, slug }, { onSuccess: () => navigate('/catalogue') });
        }}
      >
        Supprimer « {title} »
      </Button>
    </section>
  );
}
