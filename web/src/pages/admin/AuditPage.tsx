import { Fragment, useState } from 'react';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Pagination } from '@codegouvfr/react-dsfr/Pagination';
import { actorLabel } from '@patrimoine/contracts/platform';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JsonDiff } from '../../components/JsonDiff';
import { useUrlState, useUrlText } from '../../components/useUrlState';
import { adminCsvUrls, useAudit } from './api';
import { PageTitle } from '../../components/Page';
import { plural } from '../../components/plural';

const PAGE_SIZE = 50;
const KEYS = ['q', 'actor', 'action', 'entityType', 'from', 'to', 'page'] as const;

export function AuditPage() {
  const [s, set] = useUrlState(KEYS);
  const [open, setOpen] = useState<number | null>(null);
  const page = Number(s.page || 1);
  const filters = {
    q: s.q || undefined,
    actor: s.actor || undefined,
    action: s.action || undefined,
    entityType: s.entityType || undefined,
    from: s.from || undefined,
    to: s.to ? `${s.to}T23:59:59` : undefined,
  };
  const r = useAudit({ ...filters, page, pageSize: PAGE_SIZE });
  const pages = Math.max(1, Math.ceil((r.data?.total ?? 0) / PAGE_SIZE));
  const field = (k: Exclude<(typeof KEYS)[number], 'page'>, label: string, type = 'text') => (
    <div className="fr-col-12 fr-col-md-4 fr-col-lg-2">
      <UrlField label={label} type={type} value={s[k]} write={(v) => set({ [k]: v })} />
    </div>
  );
  return (
    <>
      <PageTitle>Journal d’audit</PageTitle>
      <p>Chaque modification, par qui et quand, avec l’état avant et après.</p>
      <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
        {field('q', 'Recherche')}
        {field('actor', 'Acteur (identifiant)')}
        {field('action', 'Action (préfixe)')}
        {field('entityType', 'Type d’objet')}
        {field('from', 'Du', 'date')}
        {field('to', 'Au', 'date')}
      </div>
      <p className="fr-mt-2w">
        <a className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line" href={adminCsvUrls.audit(filters)}>
          Exporter en CSV
        </a>
      </p>
      <ErrorAlert error={r.error} />
      {r.data && (
        <>
          <p>{plural(r.data.total, 'entrée')}</p>
          <div className="fr-table fr-table--no-caption">
            <table>
              <caption>Journal d’audit</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Acteur</th>
                  <th scope="col">Action</th>
                  <th scope="col">Objet</th>
                  <th scope="col">Détail</th>
                </tr>
              </thead>
              <tbody>
                {r.data.items.map((e) => (
                  <Fragment key={e.id}>
                    <tr>
                      <td>{new Date(e.at).toLocaleString('fr-FR')}</td>
                      <td>{actorLabel(e.actorLabel)}</td>
                      <td>
                        <code>{e.action}</code>
                      </td>
                      <td>
                        {e.entityType} {e.entityId ? <code>{e.entityId}</code> : null}
                      </td>
                      <td>
                        {e.before || e.after ? (
                          <Button size="small" priority="tertiary" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                            {open === e.id ? 'Masquer' : 'Voir les changements'}
                          </Button>
                        ) : null}
                      </td>
                    </tr>
                    {open === e.id && (
                      <tr>
                        <td colSpan={5}>
                          <JsonDiff before={e.before} after={e.after} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          {pages > 1 && (
            <Pagination
              count={pages}
              defaultPage={page}
              getPageLinkProps={(p) => ({ to: `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(s).filter(([, v]) => v)), page: String(p) })}` })}
            />
          )}
        </>
      )}
    </>
  );
}

/** A filter whose value is in the URL; the list follows the typing after a pause (`useUrlText`). */
function UrlField({ label, type, value, write }: { label: string; type: string; value: string; write: (v: string) => void }) {
  const [text, setText] = useUrlText(value, write);
  return <Input label={label} nativeInputProps={{ type, value: text, onChange: (e) => setText(e.target.value) }} />;
}
