/** The address of a roadmap's pages (kept apart so that the module's routes load without the pages' code). */
export const base = (slug: string) => `/feuille-de-route/${encodeURIComponent(slug)}`;
