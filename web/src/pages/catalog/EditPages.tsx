import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { useAuth } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { AssetForm, emptyForm, formOf } from './AssetForm';
import type { AssetDetail } from './types';
import { assetPath } from './labels';

export function CreateAssetPage() {
  const { me } = useAuth();
  return (
    <>
      <h1>Décrire un nouvel actif</h1>
      <p>Décrivez l’actif une fois : il sera relié aux autres, mesuré et exporté vers les plateformes nationales.</p>
      <AssetForm initial={emptyForm('application', me?.user?.role === 'admin' ? '' : (me?.user?.organisationCode ?? ''))} />
    </>
  );
}

export function EditAssetPage() {
  const { kind = '', slug = '' } = useParams();
  const r = useQuery({ queryKey: ['catalog-asset', kind, slug], queryFn: () => api<AssetDetail>(`/api/catalog/assets/${kind}/${slug}`) });
  if (r.error) return <ErrorAlert error={r.error} />;
  if (!r.data) return <p>Chargement…</p>;
  const a = r.data.asset;
  return (
    <>
      <p>
        <Link to={assetPath(a)}>← Retour à la fiche</Link>
      </p>
      <h1>Modifier « {a.title} »</h1>
      {!r.data.canEdit && <ErrorAlert error={new Error('Vous ne pouvez modifier que les actifs de votre organisation.')} title="Modification impossible" />}
      <AssetForm key={`${a.ref}-${a.version}`} initial={formOf(a)} existing={a} />
    </>
  );
}
