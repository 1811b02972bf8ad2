import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../db/client.ts';

/** Issue 10: files the platform writes were world-readable (0644); owner only: 0600 under 0700. */
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-modes-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('file modes', () => {
  it('creates the embedded database’s directory owner-only, and tightens an existing one', async () => {
    const dataDir = path.join(root, 'data', 'pglite');
    const db = await openDatabase({ dataDir });
    await db.close();
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(path.dirname(dataDir))).toBe(0o700);

    const loose = path.join(root, 'loose');
    fs.mkdirSync(loose, { mode: 0o755 });
    fs.chmodSync(loose, 0o755);
    const again = await openDatabase({ dataDir: loose });
    await again.close();
    expect(mode(loose)).toBe(0o700);
  });
});
