import { it } from 'vitest';
import { bearer, createTestPlatform } from '../../../test/harness.ts';
it('scratch', async () => {
  const t = await createTestPlatform();
  for (const m of t.modules) if (m.name === 'catalog') await m.seedDemo!();
  const reader = (await t.tokenFor('reader')).token;
  for (const q of ['sécurité civile pompiers', 'candylib', 'résultats des élections municipales', 'histovek', 'zorglub', 'imatrikulasion', 'candylib']) {
    const r = await t.app.inject({
      url: `/api/catalog/assets?q=${encodeURIComponent(q)}&pageSize=5${q === 'histovek' ? '&kind=algorithm' : ''}`,
      headers: bearer(reader),
    });
    const j = r.json();
    console.log(
      q,
      r.statusCode,
      j.total,
      JSON.stringify(j.interpretation),
      JSON.stringify(j.suggestions),
      j.items?.map((a: { title: string }) => a.title),
    );
  }
  await t.teardown();
}, 120000);
