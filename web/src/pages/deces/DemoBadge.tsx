import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { DEMO_BADGE_LABEL, isDemoSource } from '@patrimoine/contracts/deces';

/** « donnée de démonstration (fictive) » on a synthetic demo record; nothing on a real one. */
export function DemoBadge({ source, className }: { source: string; className?: string }) {
  if (!isDemoSource(source)) return null;
  return (
    <Badge as="span" severity="new" small noIcon className={className}>
      {DEMO_BADGE_LABEL}
    </Badge>
  );
}
