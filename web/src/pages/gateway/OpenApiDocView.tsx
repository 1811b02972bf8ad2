import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useGatewayApiSpec, type OpenApiDoc, type OpenApiOperation, type OpenApiSchema } from './api';

const HTTP = ['get', 'post', 'put', 'patch', 'delete'];
const WHERE: Record<string, string> = { query: 'requête', path: 'chemin', header: 'en-tête', cookie: 'cookie' };

/** The schema a `$ref` points to (`#/components/schemas/…`), or the schema itself. */
function deref(doc: OpenApiDoc, s: OpenApiSchema | undefined, seen = new Set<string>()): OpenApiSchema | undefined {
  if (!s?.$ref) return s;
  if (seen.has(s.$ref)) return undefined;
  seen.add(s.$ref);
  const name = s.$ref.replace(/^#\/components\/schemas\//, '');
  return deref(doc, doc.components?.schemas?.[name], seen);
}

/** An example value for a schema: its own example or default, else one built from its type (depth-bounded). */
export function exampleOf(doc: OpenApiDoc, raw: OpenApiSchema | undefined, depth = 0): unknown {
  const s = deref(doc, raw);
  if (!s || depth > 6) return null;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.enum?.length) return s.enum[0];
  if (s.const !== undefined) return s.const;
  const variant = s.oneOf?.[0] ?? s.anyOf?.find((x) => deref(doc, x)?.type !== 'null') ?? s.anyOf?.[0];
  if (variant) return exampleOf(doc, variant, depth + 1);
  if (s.allOf?.length)
    return Object.assign({}, ...s.allOf.map((x) => exampleOf(doc, x, depth + 1)).filter((x) => x && typeof x === 'object' && !Array.isArray(x)));
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object':
    case undefined:
      if (!s.properties) return type === 'object' ? {} : null;
      return Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, exampleOf(doc, v, depth + 1)]));
    case 'array':
      return [exampleOf(doc, s.items, depth + 1)];
    case 'integer':
      return s.minimum ?? 1;
    case 'number':
      return s.minimum ?? 0.5;
    case 'boolean':
      return true;
    case 'string':
      if (s.format === 'date-time') return '2026-01-15T10:00:00Z';
      if (s.format === 'date') return '2026-01-15';
      if (s.format === 'uuid') return '3fa85f64-5717-4562-b3fc-2c963f66afa6';
      if (s.format === 'email') return 'agent@exemple.gouv.fr';
      if (s.format === 'uri') return 'https://exemple.gouv.fr/';
      return s.pattern ? '…' : 'texte';
    default:
      return null;
  }
}

const jsonOf = (content: Record<string, { schema?: OpenApiSchema; example?: unknown }> | undefined) =>
  content?.['application/json'] ?? Object.entries(content ?? {}).find(([t]) => t.includes('json'))?.[1];

/** The example request of an operation, as curl through the gateway (query parameters with their example values). */
function curlOf(doc: OpenApiDoc, slug: string, method: string, path: string, op: OpenApiOperation): string {
  const params = op.parameters ?? [];
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const p = params.find((x) => x.in === 'path' && x.name === name);
    return encodeURIComponent(String(p?.example ?? exampleOf(doc, p?.schema) ?? name));
  });
  const query = params
    .filter((p) => p.in === 'query' && (p.required || p.example !== undefined || p.schema?.example !== undefined))
    .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(p.example ?? exampleOf(doc, p.schema) ?? ''))}`)
    .join('&');
  const url = `${window.location.origin}/gw/${slug}${filled}${query ? `?${query}` : ''}`;
  const body = jsonOf(op.requestBody?.content);
  const lines = [`curl -X ${method.toUpperCase()} -H "X-Api-Key: $CLE_API" "${url}"`];
  if (body) lines.push(`  -H "content-type: application/json" -d '${JSON.stringify(body.example ?? exampleOf(doc, body.schema))}'`);
  return lines.join(' \\\n');
}

function Operation({ doc, slug, method, path, op }: { doc: OpenApiDoc; slug: string; method: string; path: string; op: OpenApiOperation }) {
  const params = op.parameters ?? [];
  const body = jsonOf(op.requestBody?.content);
  const responses = Object.entries(op.responses ?? {});
  const ok = responses.find(([code]) => /^2/.test(code));
  const okJson = ok ? jsonOf(ok[1].content) : undefined;
  const okExample = okJson ? (okJson.example ?? exampleOf(doc, okJson.schema)) : undefined;
  return (
    <section className="fr-mb-4w" aria-label={`${method.toUpperCase()} ${path}`}>
      <h3 className="fr-h6">
        <code>{method.toUpperCase()}</code> <code>{path}</code> {op.summary && `— ${op.summary}`}
      </h3>
      {op.description && <p style={{ whiteSpace: 'pre-wrap' }}>{op.description}</p>}
      {params.length > 0 && (
        <div className="fr-table fr-table--sm">
          <table>
            <caption>Paramètres</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Où</th>
                <th scope="col">Obligatoire</th>
                <th scope="col">Description</th>
                <th scope="col">Exemple</th>
              </tr>
            </thead>
            <tbody>
              {params.map((p) => {
                const ex = p.example ?? exampleOf(doc, p.schema);
                return (
                  <tr key={`${p.in}-${p.name}`}>
                    <td>
                      <code>{p.name}</code>
                    </td>
                    <td>{WHERE[p.in] ?? p.in}</td>
                    <td>{p.required ? 'oui' : 'non'}</td>
                    <td>{p.description ?? deref(doc, p.schema)?.description ?? '—'}</td>
                    <td>{ex === null || ex === undefined ? '—' : <code>{typeof ex === 'string' ? ex : JSON.stringify(ex)}</code>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {body && (
        <>
          <p className="fr-mb-1v">
            <strong>Corps de la requête (JSON)</strong>
            {op.requestBody?.description ? ` — ${op.requestBody.description}` : ''}
          </p>
          <pre tabIndex={0} aria-label="Exemple de corps de requête" className="fr-p-2w" style={{ background: 'var(--background-alt-grey)', overflow: 'auto' }}>
            {JSON.stringify(body.example ?? exampleOf(doc, body.schema), null, 2)}
          </pre>
        </>
      )}
      <p className="fr-mb-1v">
        <strong>Exemple de requête</strong>
      </p>
      <pre tabIndex={0} aria-label="Exemple de requête" className="fr-p-2w" style={{ background: 'var(--background-alt-grey)', overflow: 'auto' }}>
        {curlOf(doc, slug, method, path, op)}
      </pre>
      {responses.length > 0 && (
        <>
          <p className="fr-mb-1v">
            <strong>Réponses</strong>
          </p>
          <ul>
            {responses.map(([code, r]) => (
              <li key={code}>
                <code>{code === 'default' ? 'autre' : code}</code> — {r.description ?? ''}
              </li>
            ))}
          </ul>
        </>
      )}
      {okExample !== undefined && okExample !== null && (
        <>
          <p className="fr-mb-1v">
            <strong>Exemple de réponse {ok![0]}</strong>
          </p>
          <pre
            tabIndex={0}
            aria-label="Exemple de réponse"
            className="fr-p-2w"
            style={{ background: 'var(--background-alt-grey)', overflow: 'auto', maxHeight: 320 }}
          >
            {JSON.stringify(okExample, null, 2)}
          </pre>
        </>
      )}
    </section>
  );
}

/** The OpenAPI document rendered for a consumer: each operation with its description, parameters, examples and answers. */
export function OpenApiDocView({ slug }: { slug: string }) {
  const q = useGatewayApiSpec(slug);
  if (q.error instanceof ApiError && q.error.status === 404) return <p>Le producteur n’a pas encore déposé de documentation OpenAPI.</p>;
  if (q.error) return <ErrorAlert error={q.error} />;
  if (!q.data) return <p>Chargement de la documentation…</p>;
  const d = q.data;
  const ops = Object.entries(d.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => HTTP.includes(m))
      .map(([m, op]) => ({ path, method: m, op: op as OpenApiOperation })),
  );
  return (
    <div>
      <p>
        {d.info?.title} — version {d.info?.version} — {ops.length} opération{ops.length > 1 ? 's' : ''}
      </p>
      {d.info?.description && <p style={{ whiteSpace: 'pre-wrap' }}>{d.info.description}</p>}
      {ops.length > 1 && (
        <nav aria-label="Opérations de l’API" className="fr-mb-3w">
          <ul>
            {ops.map((o) => (
              <li key={`${o.method} ${o.path}`}>
                <code>{o.method.toUpperCase()}</code> <code>{o.path}</code> {o.op.summary && `— ${o.op.summary}`}
              </li>
            ))}
          </ul>
        </nav>
      )}
      {ops.map((o) => (
        <Operation key={`${o.method} ${o.path}`} doc={d} slug={slug} method={o.method} path={o.path} op={o.op} />
      ))}
    </div>
  );
}
