/** How the catalogue draws its vocabularies (the French labels are the contract's: @patrimoine/contracts/catalog). */
import type { AssetKind, Openness } from '@patrimoine/contracts/catalog';

/** Colours of kinds in the graph and charts (DSFR illustrative palette, readable on white). */
export const kindColors: Record<AssetKind, string> = {
  application: '#000091',
  dataset: '#18753c',
  data_model: '#695240',
  api: '#a94645',
  repository: '#3a3a3a',
  algorithm: '#6e445a',
};
export const opennessColors: Record<Openness, string> = { ouvert: '#18753c', a_ouvrir: '#b34000', ferme: '#666666', non_ouvrable: '#ce0500' };

/** DSFR badge severity of an openness value. */
export const opennessSeverity = (o: string) => (o === 'ouvert' ? ('success' as const) : o === 'non_ouvrable' ? ('error' as const) : undefined);

export const assetPath = (a: { kind: string; slug: string }) => `/catalogue/${a.kind}/${a.slug}`;
