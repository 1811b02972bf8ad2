import { describe, expect, it } from 'vitest';
import { nextDraft, nextSearch } from './useUrlState';

describe('nextSearch (filters kept in the URL)', () => {
  it('starts from the browser’s query string, so that two writes before a render both count', () => {
    const first = nextSearch({ pathname: '/audit', search: '' }, '/audit', { action: 'user.create' }, true);
    expect(first?.toString()).toBe('action=user.create');
    // The router has not rendered the first write yet; the browser's location has it.
    const second = nextSearch({ pathname: '/audit', search: `?${first}` }, '/audit', { actor: 'admin' }, true);
    expect(second?.toString()).toBe('action=user.create&actor=admin');
  });

  it('drops empty values and goes back to the first page unless the page is what changes', () => {
    expect(nextSearch({ pathname: '/l', search: '?q=a&page=3&kind=api' }, '/l', { q: '' }, true)?.toString()).toBe('kind=api');
    expect(nextSearch({ pathname: '/l', search: '?q=a&page=3' }, '/l', { page: 4 }, true)?.toString()).toBe('q=a&page=4');
    expect(nextSearch({ pathname: '/l', search: '?q=a&page=3' }, '/l', { sort: 'title' }, false)?.toString()).toBe('q=a&page=3&sort=title');
  });

  it('drops a write made after the person followed a link: it would bring the page being left back', () => {
    // A search's pending write fires while the schema page is still rendering (stop 25's CI failure).
    expect(
      nextSearch({ pathname: '/donnees-ouvertes/schemas/etalab-schema-irve-statique', search: '' }, '/donnees-ouvertes/schemas', { q: 'irve' }, true),
    ).toBeNull();
  });

  it('compares paths as the browser and the router spell them (percent-encoded or not)', () => {
    expect(nextSearch({ pathname: '/catalogue/jeu/d%C3%A9c%C3%A8s', search: '' }, '/catalogue/jeu/décès', { q: 'x' }, true)?.toString()).toBe('q=x');
  });
});

describe('nextDraft (a form sent to the URL on submit)', () => {
  const url = (q: string, sort = '') => ({ q, sort });
  it('keeps what was typed after a submit when the submit’s echo renders late', () => {
    // « maritn » was sent; the person typed « martine » before the router rendered ?q=maritn.
    const draft = nextDraft(url('martine'), url('martn jaen'), url('maritn'), { q: 'maritn' });
    expect(draft.q).toBe('martine');
  });
  it('follows a URL change from elsewhere (a link, the back button)', () => {
    expect(nextDraft(url('martine'), url('maritn'), url('martn jaen'), null).q).toBe('martn jaen');
    // A change that is not the submitted value: the back button right after a submit.
    expect(nextDraft(url('martine'), url('maritn'), url('dupont'), { q: 'martine' }).q).toBe('dupont');
  });
  it('leaves the fields whose URL value did not change, and returns the same draft when none did', () => {
    const d = url('en cours', 'name.last:asc');
    expect(nextDraft(d, url('x'), url('x', 'name.last:asc'), null)).toEqual({ q: 'en cours', sort: 'name.last:asc' });
    expect(nextDraft(d, url('x'), url('x'), null)).toBe(d);
  });
});
