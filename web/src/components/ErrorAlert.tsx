import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { ApiError } from '../api/client';

export function ErrorAlert({ error, title = 'Une erreur est survenue' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const description = error instanceof ApiError ? (error.detail ?? error.title) : error instanceof Error ? error.message : String(error);
  return (
    <Alert severity="error" small={false} as="h2" title={error instanceof ApiError ? error.title : title} description={description} className="fr-mb-3w" />
  );
}
