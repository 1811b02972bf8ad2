import { describe, expect, it } from 'vitest';
import { httpUrl } from '@patrimoine/contracts/catalog';
import { parseSpec } from './catalog.model.ts';

/**
 * `javascript:` and `data:` URLs were stored and published in DCAT (issue 10): every URL field of
 * the catalogue accepts http(s) only, with a French message naming the field.
 */
const hostile = [
  'javascript:alert(document.domain)',
  'JavaScript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD4=',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'ftp://exemple.fr/x',
];

const fields: { kind: Parameters<typeof parseSpec>[0]; spec: (u: string) => Record<string, unknown>; field: string; label: RegExp }[] = [
  { kind: 'dataset', spec: (u) => ({ datagouvUrl: u }), field: 'spec.datagouvUrl', label: /page data\.gouv\.fr/ },
  { kind: 'dataset', spec: (u) => ({ resources: [{ title: 'R', url: u }] }), field: 'spec.resources.0.url', label: /adresse de la ressource/ },
  { kind: 'api', spec: (u) => ({ baseUrl: u }), field: 'spec.baseUrl', label: /URL de base/ },
  { kind: 'api', spec: (u) => ({ openapiUrl: u }), field: 'spec.openapiUrl', label: /document OpenAPI/ },
  { kind: 'repository', spec: (u) => ({ url: u }), field: 'spec.url', label: /dépôt de code/ },
  { kind: 'algorithm', spec: (u) => ({ codeOrFlowchartUrl: u }), field: 'spec.codeOrFlowchartUrl', label: /code ou le logigramme/ },
];

describe('catalogue URLs', () => {
  it('refuses every scheme but http(s) in every URL field, naming the field', () => {
    for (const f of fields)
      for (const u of hostile) {
        const r = parseSpec(f.kind, f.spec(u));
        expect(r.ok, `${f.field} = ${u}`).toBe(false);
        if (!r.ok) {
          expect(r.errors).toHaveLength(1);
          expect(r.errors[0]!.field).toBe(f.field);
          expect(r.errors[0]!.message).toMatch(f.label);
          expect(r.errors[0]!.message).toMatch(/http:\/\/ ou https:\/\//);
        }
      }
  });

  it('accepts http and https addresses', () => {
    for (const f of fields)
      for (const u of ['https://www.data.gouv.fr/fr/datasets/x/', 'http://intranet.interieur.gouv.fr/api'])
        expect(parseSpec(f.kind, f.spec(u)).ok, `${f.field} = ${u}`).toBe(true);
  });

  it('names the field in the length message too', () => {
    const r = httpUrl('adresse du dépôt de code').safeParse(`https://exemple.fr/${'a'.repeat(2000)}`);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/adresse du dépôt de code : 2000 caractères au plus/);
  });
});
