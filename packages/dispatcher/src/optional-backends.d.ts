// Backends that may or may not be installed next to `cloacina`. Declared here so the literal
// `import("...")` calls in backends.ts type-check either way; what is imported is checked at
// run time (isBackend) anyway.
declare module "@cloacina/backend-postgres" {
  export const backend: unknown;
}
