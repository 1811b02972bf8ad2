import { describe, expect, it } from 'vitest';
import { ColumnProfiler, MAX_DISTINCT, PREVIEW_ROWS } from './profile.ts';
import { isBot } from './downloads.ts';

describe('column profile', () => {
  it('infers types, empty share, distinct, min/max and top values; keeps the first 50 rows', () => {
    const p = new ColumnProfiler();
    p.begin(['n', 'prix', 'jour', 'ville', 'vide']);
    for (let i = 0; i < 120; i++)
      p.row([String(i % 7), i % 2 ? '1,5' : '12', `2024-01-${String((i % 28) + 1).padStart(2, '0')}`, i % 3 ? 'Belval' : 'Montval', null]);
    p.row(['', '', '', '', '']);
    const [n, prix, jour, ville, vide] = p.profile();
    expect(n).toMatchObject({ type: 'integer', distinct: 7, min: '0', max: '6', distinctCapped: false });
    expect(n!.emptyShare).toBeCloseTo(1 / 121, 3);
    expect(prix).toMatchObject({ type: 'number', min: '1.5', max: '12' });
    expect(jour).toMatchObject({ type: 'date', min: '2024-01-01', max: '2024-01-28' });
    expect(ville!.type).toBe('string');
    expect(ville!.top[0]).toEqual({ value: 'Belval', count: 80 });
    expect(vide).toMatchObject({ type: 'empty', emptyShare: 1, min: null, max: null, top: [] });
    expect(p.preview).toHaveLength(PREVIEW_ROWS);
    expect(p.preview[0]).toEqual(['0', '12', '2024-01-01', 'Montval', null]);
  });

  it('caps the distinct values it tracks (a lower bound past the cap)', () => {
    const p = new ColumnProfiler();
    p.begin(['id']);
    for (let i = 0; i < MAX_DISTINCT + 10; i++) p.row([`x${i}`]);
    expect(p.profile()[0]).toMatchObject({ distinct: MAX_DISTINCT, distinctCapped: true });
  });
});

describe('download counting', () => {
  it('does not count bots, tools and requests without a user agent', () => {
    expect(isBot('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)')).toBe(true);
    expect(isBot('curl/8.5.0')).toBe(true);
    expect(isBot('python-requests/2.31')).toBe(true);
    expect(isBot(undefined)).toBe(true);
    expect(isBot('Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0')).toBe(false);
  });
});
