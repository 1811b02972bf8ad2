#!/usr/bin/env node
// CLI entry: TypeScript sources run through tsx's loader (no build step for the server).
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/main.ts');
await main();
