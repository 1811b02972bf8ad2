import { useParams } from 'react-router';

/** The asset of the page's URL (`/catalogue/:kind/:slug`). */
export function useAssetParams() {
  const { kind = '', slug = '' } = useParams();
  return { kind, slug };
}
