import { describe, expect, it } from 'vitest';
import { assetInputSchema, envelopeProblems, parseRef, parseSpec, relationProblem } from './catalog.model.ts';
import { completeness } from './catalog.completeness.ts';
import { canonical, toDocument } from './catalog.service.ts';

describe('catalogue model', () => {
  it('validates kind-specific fields and names the field in error', () => {
    expect(parseSpec('dataset', { frequency: 'daily', licence: 'Licence Ouverte 2.0' })).toEqual({
      ok: true,
      value: { frequency: 'daily', licence: 'Licence Ouverte 2.0' },
    });
    const bad = parseSpec('repository', { url: 'nope', developmentStatus: 'stable', foo: 1 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.field).sort()).toEqual(['spec', 'spec.url']);
    const nested = parseSpec('data_model', { tables: [{ name: 't', columns: [{ name: '' }] }] });
    expect(!nested.ok && nested.errors[0]!.field).toBe('spec.tables.0.columns.0.name');
  });

  it('validates an OpenAPI document’s structure', () => {
    expect(parseSpec('api', { openapi: { openapi: '3.0.3', info: { title: 'API RGA', version: '1.0' }, paths: { '/armes': {} } } }).ok).toBe(true);
    expect(parseSpec('api', { openapi: { swagger: '2.0', info: { title: 'x', version: '1' } } }).ok).toBe(true);
    const noVersion = parseSpec('api', { openapi: { info: { title: 'x', version: '1' } } });
    expect(!noVersion.ok && noVersion.errors[0]!.message).toMatch(/openapi/);
    const noTitle = parseSpec('api', { openapi: { openapi: '3.1.0', info: { version: '1' } } });
    expect(!noTitle.ok && noTitle.errors[0]!.field).toBe('spec.openapi.info.title');
  });

  it('requires a legal reason for non-openable assets and refuses open personal data', () => {
    const base = assetInputSchema.parse({ kind: 'dataset', slug: 'x', title: 'Jeu X' });
    expect(envelopeProblems({ ...base, openness: 'non_ouvrable' })[0]!.field).toBe('opennessReason');
    expect(envelopeProblems({ ...base, openness: 'non_ouvrable', opennessReason: 'L311-5 CRPA' })).toEqual([]);
    expect(envelopeProblems({ ...base, openness: 'ouvert', personalData: true })[0]!.field).toBe('personalData');
    expect(envelopeProblems({ ...base, lifecycle: 'decommissionne' })[0]!.field).toBe('decommissionedOn');
  });

  it('knows which kinds may relate', () => {
    expect(relationProblem('produces', 'application', 'dataset', false)).toBeNull();
    expect(relationProblem('produces', 'dataset', 'application', false)).toMatch(/produces/);
    expect(relationProblem('uses', 'application', 'application', true)).toMatch(/lui-même/);
    expect(relationProblem('exposes', 'api', 'dataset', false)).toBeNull();
    expect(relationProblem('implements', 'repository', 'dataset', false)).not.toBeNull();
    expect(parseRef('api:api-rga')).toEqual({ kind: 'api', slug: 'api-rga' });
    expect(parseRef('robot:x')).toBeNull();
    expect(parseRef('api:Bad Slug')).toBeNull();
  });

  it('scores completeness with a transparent list of checks per kind', () => {
    const empty = completeness({
      kind: 'algorithm',
      description: '',
      owner: null,
      contacts: [],
      tags: [],
      lifecycle: 'en_service',
      decommissionPlannedOn: null,
      openness: 'ferme',
      spec: {},
    });
    expect(empty.score).toBe(0);
    expect(empty.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['legalBasis', 'automation', 'individualDecisions', 'owner']));
    expect(empty.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(['context', 'decisionRole', 'dataSources', 'collectionMode', 'operations', 'parameters']),
    );
    const algo = (spec: Record<string, unknown>) =>
      completeness({
        kind: 'algorithm',
        description: '',
        owner: null,
        contacts: [],
        tags: [],
        lifecycle: 'en_service',
        decommissionPlannedOn: null,
        openness: 'ferme',
        spec,
      }).checks.find((c) => c.id === 'parameters')!.ok;
    // Parameters and their weighting are owed for individual decisions only (R311-3-1-2 CRPA).
    expect(algo({ individualDecisions: true })).toBe(false);
    expect(algo({ individualDecisions: true, parameters: [{ name: 'ancienneté' }] })).toBe(true);
    expect(algo({ individualDecisions: false })).toBe(true);
    const full = completeness({
      kind: 'dataset',
      description: 'x'.repeat(120),
      owner: 'DSR',
      contacts: [{ role: 'dpo' }],
      tags: ['a'],
      lifecycle: 'en_service',
      decommissionPlannedOn: null,
      openness: 'ouvert',
      spec: {
        licence: 'LO',
        frequency: 'daily',
        temporalCoverageStart: '2020-01-01',
        spatialCoverage: 'France',
        resources: [{ format: 'csv' }],
        datagouvId: 'x',
      },
    });
    expect(full.score).toBe(100);
    const toDecom = completeness({
      kind: 'application',
      description: '',
      owner: 'DSR',
      contacts: [],
      tags: [],
      lifecycle: 'a_decommissionner',
      decommissionPlannedOn: null,
      openness: 'ferme',
      spec: {},
    });
    expect(toDecom.checks.find((c) => c.id === 'decommission')!.ok).toBe(false);
  });

  it('writes canonical documents: defaults left out, key order irrelevant', () => {
    const d = toDocument({
      kind: 'api',
      slug: 'a',
      title: 'A',
      description: '',
      ownerCode: null,
      contacts: [],
      tags: [],
      lifecycle: 'en_service',
      decommissionPlannedOn: null,
      decommissionedOn: null,
      openness: 'ferme',
      opennessReason: null,
      personalData: false,
      spec: {},
    });
    expect(d).toEqual({ kind: 'api', slug: 'a', title: 'A', lifecycle: 'en_service', openness: 'ferme' });
    expect(canonical({ b: 1, a: [{ y: 1, x: 2 }] })).toBe(canonical({ a: [{ x: 2, y: 1 }], b: 1 }));
  });
});
