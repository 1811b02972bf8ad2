// Local ESLint rule `patrimoine/boundaries`: the layering of the code base, checked on resolved paths.
// - contracts/ imports zod and its own files only (server and web both depend on it);
// - web/ never imports the server;
// - server/src/platform/ never imports a domain module (modules are given to it by main.ts, serve.ts, tests);
// - a module (server/src/modules/<name>/) imports another module only through that module's index.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rel = (p) => path.relative(root, p).split(path.sep).join('/');

/** Where an import leads: a repository path (`server/src/...`) or a package name. */
function target(fromFile, spec) {
  if (spec.startsWith('.')) return { file: rel(path.resolve(path.dirname(fromFile), spec)) };
  if (spec === '@patrimoine/contracts' || spec.startsWith('@patrimoine/contracts/'))
    return { file: 'contracts/src/' + spec.slice('@patrimoine/contracts/'.length) };
  if (spec.startsWith('@patrimoine/server')) return { file: 'server/' + spec.slice('@patrimoine/server/'.length) };
  if (spec.startsWith('@patrimoine/web')) return { file: 'web/' + spec.slice('@patrimoine/web/'.length) };
  return { pkg: spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0] };
}

/** The problem with importing `spec` from `file` (both repository-relative), or null. */
export function boundaryProblem(file, spec) {
  const from = rel(file);
  const to = target(file, spec);
  if (from.startsWith('contracts/')) {
    if (to.pkg && to.pkg !== 'zod' && !(to.pkg === 'vitest' && from.endsWith('.test.ts'))) return `contracts/ depends on zod only: « ${spec} » is not allowed`;
    if (to.file && !to.file.startsWith('contracts/')) return `contracts/ imports nothing of ours outside contracts/: « ${spec} »`;
    return null;
  }
  if (!to.file) return null;
  if (from.startsWith('web/') && to.file.startsWith('server/')) return `the web app never imports the server (« ${spec} »): use @patrimoine/contracts`;
  if (from.startsWith('server/src/platform/') && to.file.startsWith('server/src/modules/')) {
    return `the platform never imports a module (« ${spec} »): modules are passed in by main.ts, serve.ts and the test harness`;
  }
  const own = /^server\/src\/modules\/([^/]+)\//.exec(from);
  const other = /^server\/src\/modules\/([^/]+)\/(.+)$/.exec(to.file);
  if (own && other && other[1] !== own[1] && other[2] !== 'index.ts') {
    return `module « ${own[1]} » imports module « ${other[1]} » only through its index.ts (not « ${spec} »)`;
  }
  return null;
}

const rule = {
  meta: { type: 'problem', docs: { description: 'Layering of Patrimoine: contracts, web, platform, modules' }, schema: [] },
  create(context) {
    const file = context.filename;
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string') return;
      const message = boundaryProblem(file, source.value);
      if (message) context.report({ node: source, message });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source),
      ExportNamedDeclaration: (n) => check(n, n.source),
      ExportAllDeclaration: (n) => check(n, n.source),
      ImportExpression: (n) => check(n, n.source.type === 'Literal' ? n.source : null),
    };
  },
};

export default { rules: { boundaries: rule } };
