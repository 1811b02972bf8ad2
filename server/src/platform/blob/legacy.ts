import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { assertKey, type BlobStore } from './blob.ts';

/**
 * Moves the files an older version wrote on one node's disk (`dir`) into the blob store under
 * `prefix` (same relative paths), then removes them: run at start, idempotent, safe when two nodes
 * run it at once (a put replaces with the same content; removal tolerates a file already gone).
 */
export async function moveLegacyFiles(store: BlobStore, dir: string, prefix: string, logger?: FastifyBaseLogger): Promise<number> {
  if (!fs.existsSync(dir)) return 0;
  let moved = 0;
  const walk = async (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      const key = `${prefix}${rel}${e.name}`;
      if (e.isDirectory()) {
        await walk(full, `${rel}${e.name}/`);
        try {
          fs.rmdirSync(full); // only when emptied (a file not moved stays, with its folder)
        } catch {
          /* not empty, or removed by another node */
        }
        continue;
      }
      if (!e.isFile()) continue;
      try {
        assertKey(key);
      } catch {
        logger?.warn({ file: full }, 'legacy file not moved to the blob store (name not accepted as a key)');
        continue;
      }
      await store.put(key, fs.createReadStream(full));
      fs.rmSync(full, { force: true });
      moved++;
    }
  };
  await walk(dir, '');
  if (moved) logger?.info({ dir, prefix, moved }, 'legacy files moved to the blob store');
  return moved;
}
