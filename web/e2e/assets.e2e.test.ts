import { describe, expect, it } from 'vitest';
import { baseUrl } from './browser';

/** Front-end weight (issue 11): compressed bytes, long cache on hashed files, no public source maps. */
async function scripts(): Promise<string[]> {
  const html = await (await fetch(`${baseUrl()}/`)).text();
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
}

describe('web assets', () => {
  it('sends the app’s scripts brotli- or gzip-compressed, cached a year as immutable', async () => {
    const files = await scripts();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files.filter((x) => x.endsWith('.js'))) {
      const plain = await fetch(`${baseUrl()}${f}`, { headers: { 'accept-encoding': 'identity' } });
      const size = (await plain.arrayBuffer()).byteLength;
      const br = await fetch(`${baseUrl()}${f}`, { headers: { 'accept-encoding': 'br' } });
      expect(br.headers.get('content-encoding')).toBe('br');
      expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(br.headers.get('content-type')).toContain('javascript');
      const gz = await fetch(`${baseUrl()}${f}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      // fetch decodes the body: the compressed size is what the server declared.
      const sent = Number((await fetch(`${baseUrl()}${f}`, { method: 'HEAD', headers: { 'accept-encoding': 'br' } })).headers.get('content-length'));
      if (size > 10_000) expect(sent).toBeLessThan(size / 2);
    }
  });

  it('serves no source map, and the page itself is revalidated on each visit', async () => {
    for (const f of await scripts()) expect((await fetch(`${baseUrl()}${f}.map`)).status).toBe(404);
    const page = await fetch(`${baseUrl()}/catalogue`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).not.toContain('sourceMappingURL');
  });
});
