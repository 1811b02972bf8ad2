import type { TestProject } from 'vitest/node';
import { startDemoServer } from './demo-server.ts';

export const E2E_ADMIN_PASSWORD = 'e2e-Patrimoine-secret-2026';

/**
 * Builds the web app if needed and starts the real server (`patrimoine serve`) on a fresh embedded
 * database with demo content, as `npm start` does; the tests drive it in Chromium.
 */
export default async function setup(project: TestProject) {
  const server = await startDemoServer({
    adminPassword: E2E_ADMIN_PASSWORD,
    dataDirPrefix: 'patrimoine-e2e-',
    env: (port) => ({
      // The local ProConnect-like provider of development (proconnect.e2e.test.ts signs in through it).
      PATRIMOINE_PROCONNECT_DEV_PROVIDER: 'true',
      PATRIMOINE_PROCONNECT_REDIRECT_BASE: `http://127.0.0.1:${port}`,
      // Webhook receivers of the tests listen on loopback (habilitations-manage.e2e.test.ts).
      HABILITATIONS_WEBHOOK_ALLOW_PRIVATE: 'true',
      // The data.gouv.fr push reaches the local udata fake on loopback (opendata-usage.e2e.test.ts).
      DATAGOUV_ALLOW_PRIVATE: 'true',
    }),
  });
  const base = server.base;
  project.provide('baseUrl', base);
  project.provide('adminPassword', E2E_ADMIN_PASSWORD);
  return () => server.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    adminPassword: string;
  }
}
