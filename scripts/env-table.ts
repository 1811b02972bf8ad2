// Prints README's configuration table from server/src/env.ts (the single source of truth).
import { describeEnv } from '../server/src/env.ts';

console.log('| Variable | Default | Description |\n|---|---|---|');
for (const v of describeEnv()) {
  if (v.name === 'NODE_ENV') continue;
  console.log(`| \`${v.name}\` | ${v.default ? `\`${v.default}\`` : '—'} | ${v.description} |`);
}
