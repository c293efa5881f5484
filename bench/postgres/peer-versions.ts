import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The installed version of a peer, as printed next to its figures. */
export function installedVersion(name: "graphile-worker" | "pg-boss"): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}
