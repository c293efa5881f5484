/**
 * Writes the dashboard's script, bundled from src/dashboard/browser/, to
 * dist/dashboard/assets/app.js, where the built package serves it from (src/dashboard/page/script.ts).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { bundlePageScript } from "../src/dashboard/page/bundle.js";

const out = new URL("../dist/dashboard/assets/app.js", import.meta.url);
await mkdir(new URL(".", out), { recursive: true });
await writeFile(out, await bundlePageScript());
