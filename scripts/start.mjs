// `npm start`: build the web app if needed, then serve UI + API from one process.
import { ensureWebBuild } from './web-build.mjs';

ensureWebBuild();
process.argv = [process.argv[0], 'patrimoine', 'serve', ...process.argv.slice(2)];
await import('../server/bin/patrimoine.mjs');
