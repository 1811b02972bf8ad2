import { Link, useLocation } from 'react-router';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Tabs } from '@codegouvfr/react-dsfr/Tabs';
import { labelOf } from '@patrimoine/contracts/common';
import { actorLabel } from '@patrimoine/contracts/platform';
import { kindLabels, lifecycleLabels, opennessLabels } from '@patrimoine/contracts/catalog';
import { useAsset } from '../api';
import { assetPath, opennessSeverity } from '../presentation';
import { useAssetParams } from './params';
import { CompletenessSection } from './CompletenessSection';
import { FieldsTab } from './FieldsTab';
import { RelationsTab } from './RelationsTab';
import { GraphTab } from './GraphTab';
import { ImpactTab } from './ImpactTab';
import { HistoryTab } from './HistoryTab';
import { PageError, PageTitle } from '../../../components/Page';

/** One asset: its fields, completeness, relations, neighbourhood graph, impact list and history (one tab each). */
export function AssetPage() {
  const { kind, slug } = useAssetParams();
  const location = useLocation();
  const r = useAsset(kind, slug);
  if (r.error) return <PageError error={r.error} title="Actif introuvable" />;
  if (!r.data) return <p>Chargement…</p>;
  const { asset: a, canEdit } = r.data;
  return (
    <>
      {(location.state as { saved?: boolean } | null)?.saved && (
        <Alert severity="success" small description="Modifications enregistrées." className="fr-mb-2w" closable />
      )}
      <div className="fr-mb-1w" style={{ display: 'flex', gap: '0.5rem', flexWrap: 'wrap' }}>
        <Badge noIcon>{labelOf(kindLabels, a.kind)}</Badge>
        <Badge noIcon severity={opennessSeverity(a.openness) ?? 'info'}>
          {labelOf(opennessLabels, a.openness)}
        </Badge>
        <Badge noIcon className="fr-mr-1w">
          {labelOf(lifecycleLabels, a.lifecycle)}
        </Badge>
        {a.personalData && (
          <Badge noIcon severity="warning" className="fr-mr-1w">
            Données personnelles
          </Badge>
        )}
        {a.isDemo && (
          <Badge noIcon severity="new">
            Contenu de démonstration
          </Badge>
        )}
        {a.stale && (
          <Badge as="span" noIcon severity="warning" className="fr-ml-1w">
            Description à confirmer (périmée)
          </Badge>
        )}
      </div>
      <PageTitle>{a.title}</PageTitle>
      <p>
        <code>{a.ref}</code> · {a.owner ? `${a.owner} — ${a.ownerName}` : 'Sans organisation propriétaire'} · version {a.version}, modifiée le{' '}
        {new Date(a.updatedAt).toLocaleString('fr-FR')} par {actorLabel(a.updatedBy)}
        {a.lastConfirmedAt ? ` · confirmée le ${new Date(a.lastConfirmedAt).toLocaleDateString('fr-FR')}` : ''}
      </p>
      {(canEdit || (a.kind === 'algorithm' && a.openness === 'ouvert')) && (
        <p>
          {canEdit && (
            <Link className="fr-btn fr-btn--secondary fr-icon-edit-line fr-btn--icon-left fr-mr-2w" to={`${assetPath(a)}/modifier`}>
              Modifier
            </Link>
          )}
          {a.kind === 'algorithm' && a.openness === 'ouvert' && (
            <Link className="fr-link fr-icon-article-line fr-link--icon-left" to={`${assetPath(a)}/explication`}>
              Explication publique de l’algorithme (article L311-3-1 du CRPA)
            </Link>
          )}
        </p>
      )}
      <CompletenessSection completeness={r.data.completeness} />
      <Tabs
        tabs={[
          { label: 'Fiche', content: <FieldsTab detail={r.data} /> },
          { label: `Relations (${r.data.relations.length})`, content: <RelationsTab detail={r.data} /> },
          { label: 'Graphe', content: <GraphTab /> },
          { label: 'Impact', content: <ImpactTab /> },
          { label: 'Historique', content: <HistoryTab /> },
        ]}
      />
    </>
  );
}
