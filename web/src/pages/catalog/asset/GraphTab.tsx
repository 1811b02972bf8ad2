import { useState } from 'react';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { relationLabels } from '@patrimoine/contracts/catalog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useAssetGraph } from '../api';
import { GraphView } from '../GraphView';
import { useAssetParams } from './params';

/** The neighbourhood graph, by depth and relation types. */
export function GraphTab() {
  const { kind, slug } = useAssetParams();
  const [depth, setDepth] = useState(2);
  const [types, setTypes] = useState<string[]>([]);
  const g = useAssetGraph(kind, slug, depth, types);
  return (
    <>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-3">
          <Select label="Profondeur" nativeSelectProps={{ value: String(depth), onChange: (e) => setDepth(Number(e.target.value)) }}>
            <option value="1">1 relation</option>
            <option value="2">2 relations</option>
            <option value="3">3 relations</option>
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-9">
          <Checkbox
            legend="Types de relation (aucun coché : tous)"
            orientation="horizontal"
            small
            options={Object.entries(relationLabels).map(([k, l]) => ({
              label: l,
              nativeInputProps: { checked: types.includes(k), onChange: () => setTypes(types.includes(k) ? types.filter((x) => x !== k) : [...types, k]) },
            }))}
          />
        </div>
      </div>
      <ErrorAlert error={g.error} />
      {g.data && (g.data.nodes.length <= 1 ? <p>Aucune relation à afficher.</p> : <GraphView graph={g.data} />)}
    </>
  );
}
