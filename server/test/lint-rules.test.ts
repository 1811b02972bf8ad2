import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

/**
 * The layering rules of the code base fail the build when broken: each is shown to fire on a file
 * that breaks it, and to stay quiet on the allowed form, through the project's own ESLint config.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

async function boundaryMessages(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (r?.messages ?? []).filter((m) => m.ruleId === 'patrimoine/boundaries').map((m) => m.message);
}

describe('layering lint rules', () => {
  it('the web app never imports the server', async () => {
    expect(await boundaryMessages('web/src/pages/catalog/x.ts', "import { z } from '../../../../server/src/env.ts';\nexport const a = z;\n")).toEqual([
      expect.stringMatching(/never imports the server/),
    ]);
    expect(await boundaryMessages('web/src/pages/catalog/x.ts', "import { roles } from '@patrimoine/contracts/platform';\nexport const a = roles;\n")).toEqual(
      [],
    );
  });

  it('a module imports another module only through its index.ts', async () => {
    const file = 'server/src/modules/roadmap/x.ts';
    expect(await boundaryMessages(file, "import { a } from '../catalog/catalog.service.ts';\nexport const b = a;\n")).toEqual([
      expect.stringMatching(/only through its index\.ts/),
    ]);
    expect(await boundaryMessages(file, "export { a } from '../catalog/catalog.repository.ts';\n")).toHaveLength(1);
    expect(await boundaryMessages(file, "export const m = () => import('../gateway/dataplane.ts');\n")).toHaveLength(1);
    expect(await boundaryMessages(file, "import type { A } from '../catalog/index.ts';\nexport type B = A;\n")).toEqual([]);
    expect(
      await boundaryMessages(file, "import { a } from './roadmap.service.ts';\nimport { b } from '../../platform/errors.ts';\nexport const c = [a, b];\n"),
    ).toEqual([]);
    // From a nested folder of a module, its own files stay allowed.
    expect(await boundaryMessages('server/src/modules/roadmap/seed/x.ts', "import { a } from '../roadmap.service.ts';\nexport const c = a;\n")).toEqual([]);
  });

  it('the platform never imports a module', async () => {
    expect(
      await boundaryMessages('server/src/platform/x.ts', "import { catalogModule } from '../modules/catalog/index.ts';\nexport const a = catalogModule;\n"),
    ).toEqual([expect.stringMatching(/platform never imports a module/)]);
    expect(
      await boundaryMessages('server/src/platform/x.ts', "import { moduleFactories } from '../modules/index.ts';\nexport const a = moduleFactories;\n"),
    ).toHaveLength(1);
    // The composition roots may.
    expect(await boundaryMessages('server/src/serve.ts', "import { moduleFactories } from './modules/index.ts';\nexport const a = moduleFactories;\n")).toEqual(
      [],
    );
  });

  it('contracts import zod and nothing of ours', async () => {
    const file = 'contracts/src/x.ts';
    expect(await boundaryMessages(file, "import { z } from 'zod';\nimport { labels } from './common.ts';\nexport const a = [z, labels];\n")).toEqual([]);
    expect(await boundaryMessages(file, "import { roles } from '../../server/src/platform/auth/auth.table.ts';\nexport const a = roles;\n")).toEqual([
      expect.stringMatching(/imports nothing of ours/),
    ]);
    expect(await boundaryMessages(file, "import { parse } from 'yaml';\nexport const a = parse;\n")).toEqual([expect.stringMatching(/zod only/)]);
  });

  it('formatting is Prettier’s (npm run lint checks it)', async () => {
    const options = { ...(await prettier.resolveConfig(path.join(root, 'server/src/x.ts'))), filepath: path.join(root, 'server/src/x.ts') };
    expect(await prettier.check('export const a = { b: 1 };\n', options)).toBe(true);
    expect(await prettier.check('export const a = {b:1}\n', options)).toBe(false);
  });
});
