/**
 * URL schemes and the package that serves each. Specifiers are written out in full (after
 * compilation these are literal `import("...")` calls that bundlers and tracers can see);
 * adding a backend is adding a line here. Which ones are installed is only known at run time;
 * what an import returns is checked (`isBackend`) before it is used.
 */
export const KNOWN_BACKENDS: Readonly<Record<string, { packageName: string; load: () => Promise<unknown> }>> = {
  sqlite: { packageName: "@cloacina/backend-sqlite", load: () => import("@cloacina/backend-sqlite") },
  postgres: { packageName: "@cloacina/backend-postgres", load: () => import("@cloacina/backend-postgres") },
  postgresql: { packageName: "@cloacina/backend-postgres", load: () => import("@cloacina/backend-postgres") },
};
