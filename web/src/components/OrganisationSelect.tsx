import { Select } from '@codegouvfr/react-dsfr/Select';
import { useOrganisations } from '../api/organisations';

/** A DSFR select of the ministry's organisations (code — name), with its error message under it. */
export function OrganisationSelect({ label, value, onChange, error }: { label: string; value: string; onChange: (code: string) => void; error?: string }) {
  const orgs = useOrganisations();
  return (
    <Select
      label={label}
      state={error ? 'error' : 'default'}
      stateRelatedMessage={error}
      nativeSelectProps={{ value, onChange: (e) => onChange(e.target.value) }}
    >
      <option value="">—</option>
      {(orgs.data ?? []).map((o) => (
        <option key={o.code} value={o.code}>
          {o.code} — {o.name}
        </option>
      ))}
    </Select>
  );
}
