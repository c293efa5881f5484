/**
 * Bundles the page's script (../browser/main.ts and what it imports) into one classic script with
 * esbuild. It runs at build time (`npm run bundle` in packages/dispatcher writes
 * dist/dashboard/assets/app.js, which `prepack` and the root `npm run build` call) and, when the
 * dashboard runs from src (tests, `tsx --conditions=@cloacina/source`), on the first request for
 * the script (see script.ts). esbuild is a development dependency only: the published package
 * serves the prebuilt file and never loads this module.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The script's entry point, beside this file in src (and in the published package's src). */
export const PAGE_SCRIPT_ENTRY = fileURLToPath(new URL("../browser/main.ts", import.meta.url));

/** The bundled script's text. Needs esbuild installed (it is, in this repository). */
export async function bundlePageScript(): Promise<string> {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [PAGE_SCRIPT_ENTRY],
    tsconfig: fileURLToPath(new URL("../browser/tsconfig.json", import.meta.url)),
    bundle: true,
    // One classic script in a function scope (strict, as tsconfig's `strict` makes esbuild emit):
    // the page loads it with <script src defer> under a CSP of script-src 'self', so no inline
    // code, no eval and no module loading are needed.
    format: "iife",
    // Paths in the bundle's comments are relative to the browser folder, wherever it is built.
    absWorkingDir: path.dirname(PAGE_SCRIPT_ENTRY),
    platform: "browser",
    target: "es2022",
    charset: "utf8",
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced no output for ${PAGE_SCRIPT_ENTRY}.`);
  return file.text;
}
