import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * Writes a brotli (.br) and a gzip (.gz) copy next to each text asset of the build (JS, CSS, SVG,
 * HTML, JSON) above 1 KB, so that the server sends compressed bytes without compressing per request.
 */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'patrimoine-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = path.resolve(c.root, c.build.outDir);
    },
    closeBundle() {
      const walk = (d: string): string[] =>
        fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
      for (const f of walk(outDir)) {
        if (!/\.(js|mjs|css|svg|html|json|txt)$/.test(f)) continue;
        const data = fs.readFileSync(f);
        if (data.length < 1024) continue;
        fs.writeFileSync(
          `${f}.br`,
          zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
        );
        fs.writeFileSync(`${f}.gz`, zlib.gzipSync(data, { level: 9 }));
      }
    },
  };
}
