import type { ReactNode } from 'react';
import type { Role } from './auth';
import { gatewayWebModule } from './pages/gateway/module';
import { catalogWebModule } from './pages/catalog/module';
import { roadmapWebModule } from './pages/roadmap/module';
import { decesWebModule } from './pages/deces/module';
import { opendataWebModule } from './pages/opendata/module';
import { governanceWebModule } from './pages/governance/module';
import { federationWebModule } from './pages/federation/module';
import { habilitationsWebModule } from './pages/habilitations/module';
import { exploreWebModule } from './pages/explore/module';

/**
 * What each domain module adds to the web app: its routes and its navigation entry.
 * A module's pages live in pages/<module>/ and export a `WebModule` from pages/<module>/module.tsx.
 */
export interface WebModule {
  name: string;
  /** Navigation entry (DSFR main navigation); `roles` hides it from those who cannot use it. */
  nav?: { text: string; to: string; roles?: Role[]; children?: { text: string; to: string; roles?: Role[] }[] };
  routes: { path: string; element: ReactNode }[];
  /** Pages without the site's header and footer (an embedded view inside another site's `<iframe>`). */
  bareRoutes?: { path: string; element: ReactNode }[];
  /** Card on the home page. */
  home?: { title: string; description: string; to: string };
}

export const webModules: WebModule[] = [
  catalogWebModule,
  roadmapWebModule,
  gatewayWebModule,
  decesWebModule,
  opendataWebModule,
  governanceWebModule,
  federationWebModule,
  habilitationsWebModule,
  exploreWebModule,
];
