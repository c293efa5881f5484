/**
 * True when `error` says that this package itself (not one of its own imports) could not be
 * found. Node says `ERR_MODULE_NOT_FOUND: Cannot find package 'x'`; Vite's module runner (vitest)
 * says `Could not resolve "x"` with no code.
 */
export function isMissingPackage(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof message !== "string") return false;
  const namesPackage = message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`);
  const notFound =
    code === "ERR_MODULE_NOT_FOUND" ||
    code === "MODULE_NOT_FOUND" ||
    /Cannot find (package|module)|Could not resolve/.test(message);
  return namesPackage && notFound;
}
