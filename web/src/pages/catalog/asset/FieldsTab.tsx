import { labelOf } from '@patrimoine/contracts/common';
import { contactRoleLabels, lifecycleLabels, opennessLabels } from '@patrimoine/contracts/catalog';
import type { AssetDetail } from '../api';
import { specFields, specValueLabel } from '../specFields';
import { DictionaryTools } from './DictionaryTools';

function show(v: unknown): string {
  if (v === true) return 'Oui';
  if (v === false) return 'Non';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(', ');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v, null, 1);
  return String(v);
}

/** The asset's fields, contacts, resources and data model tables. */
export function FieldsTab({ detail }: { detail: AssetDetail }) {
  const a = detail.asset;
  const known = specFields[a.kind] ?? [];
  const rows: [string, unknown][] = [
    ['Organisation', a.owner ? `${a.owner} — ${a.ownerName}` : '—'],
    ['Mots-clés', a.tags.join(', ') || '—'],
    ['Cycle de vie', labelOf(lifecycleLabels, a.lifecycle)],
    ['Décommissionnement prévu', a.decommissionPlannedOn ?? '—'],
    ['Décommissionné le', a.decommissionedOn ?? '—'],
    ['Ouverture', labelOf(opennessLabels, a.openness)],
    ['Motif de non-ouverture', a.opennessReason ?? '—'],
    ['Données personnelles', a.personalData],
    ...known.filter((f) => f.key in a.spec && f.type !== 'json').map((f) => [f.label, specValueLabel(f, a.spec[f.key])] as [string, unknown]),
  ];
  const tables =
    a.kind === 'data_model'
      ? ((a.spec.tables as
          | { name: string; description?: string; columns: { name: string; type?: string; description?: string; personalData?: boolean; example?: string }[] }[]
          | undefined) ?? [])
      : [];
  const resources = a.kind === 'dataset' ? ((a.spec.resources as { title: string; url: string; format?: string; size?: number }[] | undefined) ?? []) : [];
  return (
    <>
      <h2 className="fr-h5">Description</h2>
      <p style={{ whiteSpace: 'pre-wrap' }}>{a.description || 'Aucune description.'}</p>
      <div className="fr-table fr-table--no-caption">
        <table>
          <caption>Champs de l’actif</caption>
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td style={{ whiteSpace: 'pre-wrap' }}>{show(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2 className="fr-h5">Contacts</h2>
      {a.contacts.length === 0 ? (
        <p>Aucun contact.</p>
      ) : (
        <ul>
          {a.contacts.map((c, i) => (
            <li key={i}>
              {labelOf(contactRoleLabels, c.role)} : {c.name}
              {c.email ? ` <${c.email}>` : ''}
            </li>
          ))}
        </ul>
      )}
      {resources.length > 0 && (
        <div className="fr-table">
          <table>
            <caption>Ressources</caption>
            <thead>
              <tr>
                <th scope="col">Titre</th>
                <th scope="col">Format</th>
                <th scope="col">Taille</th>
              </tr>
            </thead>
            <tbody>
              {resources.map((x, i) => (
                <tr key={i}>
                  <td>
                    <a href={x.url} rel="noreferrer">
                      {x.title}
                    </a>
                  </td>
                  <td>{x.format ?? '—'}</td>
                  <td>{x.size ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {a.kind === 'repository' && (
        <p>
          <a
            className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-download-line fr-btn--icon-left"
            href={`/api/catalog/assets/repository/${a.slug}/publiccode.yml`}
          >
            Télécharger le publiccode.yml
          </a>
        </p>
      )}
      {a.kind === 'data_model' && <DictionaryTools detail={detail} />}
      {tables.map((t) => (
        <div className="fr-table" key={t.name}>
          <table>
            <caption>
              Table {t.name}
              {t.description ? ` — ${t.description}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Colonne</th>
                <th scope="col">Type</th>
                <th scope="col">Description</th>
                <th scope="col">Donnée personnelle</th>
                <th scope="col">Exemple</th>
              </tr>
            </thead>
            <tbody>
              {t.columns.map((c) => (
                <tr key={c.name}>
                  <td>
                    <code>{c.name}</code>
                  </td>
                  <td>{c.type ?? '—'}</td>
                  <td>{c.description ?? '—'}</td>
                  <td>{c.personalData ? 'Oui' : 'Non'}</td>
                  <td>{c.example ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  );
}
