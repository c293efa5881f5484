/**
 * URL schemes and the package that serves each. Specifiers are written out in full (after
 * compilation these are literal `import("...")` calls that bundlers and tracers can see);
 * adding a backend is adding a line here. Which ones are installed is only known at run time
 * (optional-backends.d.ts declares the others for the type checker).
 */
export const KNOWN_BACKENDS: Readonly<Record<string, { packageName: string; load: () => Promise<unknown> }>> = {
  sqlite: { packageName: "@cloacina/backend-sqlite", load: () => import("@cloacina/backend-sqlite") },
  postgres: { packageName: "@cloacina/backend-postgres", load: () => import("@cloacina/backend-postgres") },
  postgresql: { packageName: "@cloacina/backend-postgres", load: () => import("@cloacina/backend-postgres") },
};
