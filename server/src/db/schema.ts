// Index of every table, platform and modules: drizzle-kit generates migrations from this file.
export * from '../platform/organisations/organisations.table.ts';
export * from '../platform/auth/auth.table.ts';
export * from '../platform/audit/audit.table.ts';
export * from '../platform/jobs/jobs.table.ts';
export * from '../platform/settings.table.ts';
// Modules (each module's *.table.ts is exported here)
export * from '../modules/catalog/catalog.table.ts';
export * from '../modules/gateway/gateway.table.ts';
export * from '../modules/deces/deces.table.ts';
export * from '../modules/roadmap/roadmap.table.ts';
export * from '../modules/opendata/opendata.table.ts';
export * from '../modules/governance/governance.table.ts';
export * from '../platform/auth/oidc/oidc.table.ts';
export * from '../modules/habilitations/habilitations.table.ts';
export * from '../modules/explore/explore.table.ts';
