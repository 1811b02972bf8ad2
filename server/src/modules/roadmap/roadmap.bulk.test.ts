import { describe, expect, it } from 'vitest';
import { parseBulkCsv } from './roadmap.bulk.ts';
import { burnup } from './roadmap.dashboard.ts';
import { reportHtml, reportMarkdown, type Report } from './roadmap.report.ts';

describe('bulk CSV parsing', () => {
  it('reads ; or , files with French labels, a BOM and ignored columns', () => {
    const r = parseBulkCsv('\uFEFFcode;intitulé;statut;avancement;pilote;note\na10;x;En cours;40 %;Mme X;Ok\nA11;y;réalisée;;;\n');
    expect(r.errors).toEqual([]);
    expect(r.lines).toEqual([
      { line: 2, code: 'A10', status: 'en_cours', progress: 40, pilot: 'Mme X', note: 'Ok' },
      { line: 3, code: 'A11', status: 'realisee' },
    ]);
    expect(parseBulkCsv('code,statut\nA01,a_lancer').lines[0]).toMatchObject({ code: 'A01', status: 'a_lancer' });
  });

  it('reports every problem with its line and column', () => {
    const r = parseBulkCsv('code;statut;avancement\nA01;fini;10\n;en_cours;\nA02;en_cours;101\nA01;en_cours;2,5\n');
    expect(r.errors.map((e) => e.field)).toEqual(['lignes.2.statut', 'lignes.3.code', 'lignes.4.avancement', 'lignes.5.code', 'lignes.5.avancement']);
  });

  it('refuses a file without a code column or without anything to update', () => {
    expect(parseBulkCsv('action_id;statut\nA01;x').errors[0]!.field).toBe('lignes.1.code');
    expect(parseBulkCsv('code;titre\nA01;x').errors[0]!.field).toBe('lignes.1');
    expect(parseBulkCsv('').errors[0]!.field).toBe('csv');
  });
});

describe('burn-up', () => {
  it('replays status changes day by day, abandoned actions leaving the scope', () => {
    const at = (s: string) => new Date(s);
    const ids = new Set(['a', 'b', 'c']);
    const log = [
      { actionId: 'a', at: at('2022-01-10T10:00:00Z'), statusAfter: 'a_lancer' },
      { actionId: 'b', at: at('2022-01-10T10:00:00Z'), statusAfter: 'a_lancer' },
      { actionId: 'c', at: at('2022-01-10T10:00:00Z'), statusAfter: 'a_lancer' },
      { actionId: 'x', at: at('2022-01-11T10:00:00Z'), statusAfter: 'realisee' }, // not in the filter
      { actionId: 'a', at: at('2022-02-01T10:00:00Z'), statusAfter: 'en_cours' },
      { actionId: 'a', at: at('2022-03-01T10:00:00Z'), statusAfter: 'realisee' },
      { actionId: 'c', at: at('2022-03-01T12:00:00Z'), statusAfter: 'abandonnee' },
    ];
    expect(burnup(log, ids, at('2022-04-01T10:00:00Z'))).toEqual([
      { date: '2022-01-10', scope: 3, started: 0, done: 0 },
      { date: '2022-02-01', scope: 3, started: 1, done: 0 },
      { date: '2022-03-01', scope: 2, started: 1, done: 1 },
      { date: '2022-04-01', scope: 2, started: 1, done: 1 },
    ]);
  });
});

describe('report rendering', () => {
  const report: Report = {
    roadmap: { id: '1', slug: 's', title: 'Feuille <b>' },
    quarter: '2022-T2',
    quarterLabel: '2e trimestre 2022',
    previousQuarter: '2022-T1',
    from: '2022-04-01',
    to: '2022-06-30',
    generatedAt: new Date('2022-07-01T08:00:00.000Z'),
    summary: {
      actions: { total: 1, a_lancer: 0, en_cours: 1, realisee: 0, abandonnee: 0 },
      overdue: 1,
      statusChanges: 1,
      progressChanges: 0,
      notes: 1,
      openingsDelivered: 0,
      openingsAvailable: 0,
      openingsTotal: 0,
    },
    statusChanges: [
      {
        code: 'A01',
        title: 'Titre | avec barre',
        from: 'a_lancer',
        to: 'en_cours',
        at: new Date('2022-05-01T08:00:00.000Z'),
        by: 'x',
        note: 'ligne 1\nligne 2',
      },
    ],
    delivered: [],
    overdue: [{ code: 'A01', title: 'T', deadlineLabel: '1er semestre 2022', status: 'en_cours', progress: 10, contributors: ['DSR'], lastNote: null }],
    indicators: [],
    decisions: [{ id: 'd', text: '<script>alert(1)</script>', actionCode: null, by: 'admin', at: new Date('2022-06-01T08:00:00.000Z') }],
    gaps: [{ actionCode: 'A57', organisation: 'DSR', label: 'Aucun <i>administrateur</i>', source: 'governance' }],
    sections: [{ id: 'revue', title: 'Revue <x>', summary: 'Résumé | barre', columns: ['Direction', 'Avancement'], rows: [['DSR', '50 %']] }],
  };
  it('escapes user text in HTML', () => {
    const html = reportHtml(report);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('Feuille &lt;b&gt;');
    // Gaps and sections of other modules (governance) are escaped too.
    expect(html).toContain('Aucun &lt;i&gt;administrateur&lt;/i&gt;');
    expect(html).toContain('Revue &lt;x&gt;');
  });
  it('keeps Markdown tables intact', () => {
    const md = reportMarkdown(report);
    expect(md).toContain('| A01 | Titre \\| avec barre | À lancer | En cours | 01/05/2022 | x | ligne 1 ligne 2 |');
    expect(md).toContain('| A57 | DSR | Aucun <i>administrateur</i> |');
    expect(md).toContain('| DSR | 50 % |');
  });
});
