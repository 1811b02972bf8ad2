import { Link, useNavigate, useParams } from 'react-router';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { AssetForm, emptyForm, formOf } from './AssetForm';
import { useAsset, useDeleteAsset } from './api';
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
  return (
    <>
      <p>
        <Link to={assetPath(a)}>← Retour à la fiche</Link>
      </p>
      <PageTitle>Modifier « {a.title} »</PageTitle>
      {!r.data.canEdit && <ErrorAlert error={new Error('Vous ne pouvez modifier que les actifs de votre organisation.')} title="Modification impossible" />}
      <AssetForm key={`${a.ref}-${a.version}`} initial={formOf(a)} existing={a} />
      {r.data.canEdit && <DeleteAsset kind={a.kind} slug={a.slug} title={a.title} />}
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
