/** Side-by-side view of the fields that changed between two snapshots (audit log, history). */
export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  if (keys.length === 0) return <p className="fr-text--sm">Aucune différence de contenu.</p>;
  const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v, null, 1));
  return (
    <div className="fr-table fr-table--no-caption fr-table--sm">
      <table>
        <caption>Différences</caption>
        <thead>
          <tr>
            <th scope="col">Champ</th>
            <th scope="col">Avant</th>
            <th scope="col">Après</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k}>
              <td>
                <code>{k}</code>
              </td>
              <td style={{ whiteSpace: 'pre-wrap', background: 'var(--background-contrast-error)' }}>{show(b[k])}</td>
              <td style={{ whiteSpace: 'pre-wrap', background: 'var(--background-contrast-success)' }}>{show(a[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
