/**
 * URL schemes and the package that serves each. Specifiers are written out in full (after
 * compilation these are literal `import("...")` calls that bundlers and tracers can see);
 * adding a backend is adding a line here. `as string` keeps TypeScript from requiring a backend
 * that is not installed: which ones are is only known at run time.
 */
export const KNOWN_BACKENDS: Readonly<Record<string, { packageName: string; load: () => Promise<unknown> }>> = {
  sqlite: { packageName: "@cloacina/backend-sqlite", load: () => import("@cloacina/backend-sqlite" as string) },
  postgres: { packageName: "@cloacina/backend-postgres", load: () => import("@cloacina/backend-postgres" as string) },
  postgresql: { packageName: "@cloacina/backend-postgres", load: () => import("@cloacina/backend-postgres" as string) },
};
