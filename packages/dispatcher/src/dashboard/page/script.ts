/**
 * The page's script, served as /assets/app.js. It is TypeScript in ../browser/, bundled by
 * esbuild (bundle.ts). Where it comes from, and why:
 *
 * - From dist (the published package): the file `npm run bundle` wrote at build time,
 *   dist/dashboard/assets/app.js. Users need no bundler, and esbuild stays a development
 *   dependency instead of a run-time dependency of `cloacina` (with a native binary per platform).
 * - From src (tests, examples and `tsx --conditions=@cloacina/source` run without a build): there is
 *   no such file beside src, so the script is bundled on the first request (tens of milliseconds)
 *   and kept for the life of the process. That path needs esbuild, which this repository has;
 *   bundling on demand means no generated file to commit or to keep in step with its sources.
 */
import { readFile } from "node:fs/promises";

/** Where the build puts the bundle, relative to this module's compiled form in dist. */
const BUILT = new URL("../assets/app.js", import.meta.url);

let cached: Promise<string> | undefined;

/** The script's text: built at build time, or bundled once from the TypeScript sources. */
export function pageScript(): Promise<string> {
  cached ??= load().catch((error: unknown) => {
    cached = undefined; // a failure is reported on each request, not kept
    throw error;
  });
  return cached;
}

async function load(): Promise<string> {
  try {
    return await readFile(BUILT, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const { bundlePageScript } = await import("./bundle.js");
  try {
    return await bundlePageScript();
  } catch (error) {
    throw new Error(
      `The dashboard's script is missing (${BUILT.pathname}) and could not be bundled from its sources: ` +
        `${(error as Error).message}. Reinstall cloacina, or build it with \`npm run build\`.`,
      { cause: error },
    );
  }
}
