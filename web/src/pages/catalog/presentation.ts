/** How the catalogue draws its vocabularies (the French labels are the contract's: @patrimoine/contracts/catalog). */
import type { AssetKind, Openness } from '@patrimoine/contracts/catalog';
import { theme } from '../../components/theme';

/** Colours of kinds in the graph and charts (DSFR illustrative palette, readable on white). */
export const kindColors: Record<AssetKind, string> = {
  application: theme.blue,
  dataset: theme.success,
  data_model: theme.brown,
  api: theme.pink,
  repository: theme.neutral,
  algorithm: theme.purple,
};
export const opennessColors: Record<Openness, string> = { ouvert: theme.success, a_ouvrir: theme.warning, ferme: theme.neutral, non_ouvrable: theme.error };

/** DSFR badge severity of an openness value. */
export const opennessSeverity = (o: string) => (o === 'ouvert' ? ('success' as const) : o === 'non_ouvrable' ? ('error' as const) : undefined);

export const assetPath = (a: { kind: string; slug: string }) => `/catalogue/${a.kind}/${a.slug}`;
