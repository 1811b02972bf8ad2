import { describe, expect, it } from 'vitest';
import { monthIndex, seasonallyAdjust, seasonalProblem } from './seasonal';

const months = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const m = from + i;
    return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  });
// A known seasonal pattern (more offences in summer, fewer in February), normalised to a mean of 1.
const RAW = [0.9, 0.8, 0.95, 1.0, 1.05, 1.1, 1.25, 1.2, 1.0, 0.95, 0.9, 0.9];
const PATTERN = RAW.map((f) => (f * 12) / RAW.reduce((a, b) => a + b, 0));

describe('seasonal adjustment (classical decomposition, 2×12 moving average)', () => {
  it('removes a known multiplicative pattern from a trending series and recovers its factors', () => {
    const labels = months(2016 * 12, 96);
    const trend = labels.map((_, i) => 1000 + 5 * i);
    const values = trend.map((t, i) => t * PATTERN[i % 12]!);
    const r = seasonallyAdjust(labels, values);
    expect(r.model).toBe('multiplicative');
    r.factors.forEach((f, m) => expect(f).toBeCloseTo(PATTERN[m]!, 2));
    // What is left is the trend (within 0.5 %), at both ends too (factors apply to every month).
    r.adjusted.forEach((v, i) => expect(Math.abs(v! - trend[i]!) / trend[i]!).toBeLessThan(0.005));
    // The raw series swings by ±25 %; the adjusted one has no month-to-month swing left beyond the trend's slope.
    const jumps = r.adjusted.slice(1).map((v, i) => v! - r.adjusted[i]!);
    jumps.forEach((j) => expect(Math.abs(j - 5)).toBeLessThan(6));
  });

  it('removes an additive pattern exactly from a linear trend (values crossing zero → additive)', () => {
    const labels = months(2018 * 12 + 3, 60);
    const shift = [-30, -40, -10, 0, 10, 20, 50, 40, 0, -10, -20, -10];
    const mean = shift.reduce((a, b) => a + b, 0) / 12;
    const values = labels.map((_, i) => -20 + 2 * i + shift[(i + 3) % 12]!);
    const r = seasonallyAdjust(labels, values);
    expect(r.model).toBe('additive');
    r.factors.forEach((f, m) => expect(f).toBeCloseTo(shift[m]! - mean, 6));
    r.adjusted.forEach((v, i) => expect(v!).toBeCloseTo(-20 + 2 * i + mean, 6));
    // The trend is the 2×12 average: null on the first and last six months.
    expect(r.trend.slice(0, 6).every((t) => t === null)).toBe(true);
    expect(r.trend[6]).toBeCloseTo(-20 + 2 * 6 + mean, 6);
  });

  it('takes labels in any order and tolerates a missing month', () => {
    const labels = months(2015 * 12, 60);
    const values: (number | null)[] = labels.map((_, i) => 500 * PATTERN[i % 12]!);
    values[20] = null;
    const order = labels.map((_, i) => i).reverse();
    const r = seasonallyAdjust(
      order.map((i) => labels[i]!),
      order.map((i) => values[i]!),
    );
    expect(r.adjusted[order.indexOf(20)]).toBeNull();
    r.adjusted.forEach((v) => v === null || expect(v).toBeCloseTo(500, 0));
  });

  it('says in French why a series cannot be adjusted', () => {
    expect(seasonalProblem(months(2020 * 12, 24))).toMatch(/trois années/);
    expect(seasonalProblem(['2020', '2021'])).toMatch(/mensuelle/);
    expect(seasonalProblem(['2020-01', '2020-01'])).toMatch(/même mois/);
    expect(() => seasonallyAdjust(months(2020 * 12, 12), Array(12).fill(1))).toThrow(/impossible/);
    expect(monthIndex('2024-13')).toBeNull();
    expect(monthIndex('2024-02-15')).toBe(2024 * 12 + 1);
  });
});
