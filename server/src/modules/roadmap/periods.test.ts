import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../platform/clock.ts';
import {
  isOverdue,
  normalisePeriod,
  openingTimeliness,
  periodEnd,
  periodLabel,
  periodLastDay,
  periodStart,
  previousQuarter,
  quarterOf,
  semesterOf,
} from './periods.ts';

describe('deadline periods', () => {
  it('normalises the source spellings', () => {
    expect(normalisePeriod('2022 S2')).toBe('2022-S2');
    expect(normalisePeriod('T1 2022')).toBe('2022-T1');
    expect(normalisePeriod('2022-T4')).toBe('2022-T4');
    expect(normalisePeriod('2022 S3')).toBeNull();
    expect(normalisePeriod('2022 T5')).toBeNull();
    expect(normalisePeriod('fin 2022')).toBeNull();
  });

  it('ends a period at midnight Paris time at the start of the next one (winter and summer time)', () => {
    // 1 January is in winter time (UTC+1), 1 July in summer time (UTC+2).
    expect(periodEnd('2022-S2').toISOString()).toBe('2022-12-31T23:00:00.000Z');
    expect(periodEnd('2022-S1').toISOString()).toBe('2022-06-30T22:00:00.000Z');
    expect(periodEnd('2022-T1').toISOString()).toBe('2022-03-31T22:00:00.000Z');
    expect(periodEnd('2021-T3').toISOString()).toBe('2021-09-30T22:00:00.000Z');
    expect(periodStart('2022-T2').toISOString()).toBe('2022-03-31T22:00:00.000Z');
    expect(periodLastDay('2022-S2')).toBe('2022-12-31');
    expect(periodLastDay('2022-T1')).toBe('2022-03-31');
  });

  it('computes « en retard » exactly at the deadline boundary, with an injected clock', () => {
    const clock = new FixedClock(new Date('2022-12-31T22:59:59.999Z')); // 23:59:59.999 in Paris, 31 Dec
    const a = { status: 'en_cours', deadline: '2022-S2', deadlineEnd: null };
    expect(isOverdue(a, clock.now())).toBe(false);
    clock.advance(1); // midnight in Paris, 1 January 2023
    expect(isOverdue(a, clock.now())).toBe(true);
    expect(isOverdue({ ...a, status: 'a_lancer' }, clock.now())).toBe(true);
    expect(isOverdue({ ...a, status: 'realisee' }, clock.now())).toBe(false);
    expect(isOverdue({ ...a, status: 'abandonnee' }, clock.now())).toBe(false);
  });

  it('uses the later deadline of an action with two (A10: 2021 S2 then 2022 S2)', () => {
    const a10 = { status: 'en_cours', deadline: '2021-S2', deadlineEnd: '2022-S2' };
    expect(isOverdue(a10, new Date('2022-06-15T10:00:00Z'))).toBe(false);
    expect(isOverdue(a10, new Date('2022-12-31T22:59:00Z'))).toBe(false);
    expect(isOverdue(a10, new Date('2022-12-31T23:00:00Z'))).toBe(true);
  });

  it('handles quarter deadlines in summer time', () => {
    const sub = { status: 'a_lancer', deadline: '2022-T2', deadlineEnd: null };
    expect(isOverdue(sub, new Date('2022-06-30T21:59:59Z'))).toBe(false);
    expect(isOverdue(sub, new Date('2022-06-30T22:00:00Z'))).toBe(true);
  });

  it('says whether an opening was delivered on time', () => {
    const now = new Date('2023-01-15T12:00:00Z');
    expect(openingTimeliness({ status: 'disponible', due: '2021-T4', availableOn: '2021-12-31' }, now)).toBe('a_temps');
    expect(openingTimeliness({ status: 'disponible', due: '2021-T4', availableOn: '2022-01-01' }, now)).toBe('en_retard');
    expect(openingTimeliness({ status: 'disponible', due: '2021-T3', availableOn: null }, now)).toBe('date_inconnue');
    expect(openingTimeliness({ status: 'planifie', due: '2022-T4', availableOn: null }, now)).toBe('en_retard');
    expect(openingTimeliness({ status: 'planifie', due: '2023-T1', availableOn: null }, now)).toBe('a_venir');
    expect(openingTimeliness({ status: 'abandonne', due: '2021-T1', availableOn: null }, now)).toBe('sans_objet');
  });

  it('names quarters and semesters', () => {
    expect(quarterOf(new Date('2022-03-31T21:59:00Z'))).toBe('2022-T1');
    expect(quarterOf(new Date('2022-03-31T22:00:00Z'))).toBe('2022-T2');
    expect(previousQuarter('2022-T1')).toBe('2021-T4');
    expect(previousQuarter('2022-T3')).toBe('2022-T2');
    expect(semesterOf('2022-T3')).toBe('2022-S2');
    expect(periodLabel('2022-S1')).toBe('1er semestre 2022');
    expect(periodLabel('2021-T4')).toBe('4e trimestre 2021');
  });
});
