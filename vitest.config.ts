import { transform } from "esbuild";
import { defineConfig } from "vitest/config";

/**
 * Vite 8 transforms TypeScript with Oxc, which rejects TC39 standard decorators. Files that use
 * `@task`/`@taskClass` are lowered with esbuild first (as tsx does): in legacy
 * (`experimentalDecorators`) mode when the file name contains ".legacy.", else in standard mode.
 */
const decorators = {
  name: "cloacina:lower-decorators",
  enforce: "pre" as const,
  async transform(code: string, id: string) {
    const file = id.split("?")[0] ?? id;
    if (!file.endsWith(".ts") || file.includes("/node_modules/") || !/@task(Class)?\(/.test(code)) return null;
    const result = await transform(code, {
      loader: "ts",
      format: "esm",
      target: "es2022",
      sourcemap: true,
      sourcefile: file,
      tsconfigRaw: { compilerOptions: { experimentalDecorators: file.includes(".legacy."), useDefineForClassFields: true } },
    });
    return { code: result.code, map: result.map };
  },
};

export default defineConfig({
  plugins: [decorators],
  resolve: { conditions: ["@cloacina/source"] },
  ssr: { resolve: { conditions: ["@cloacina/source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/test/**/*.test.ts"],
    // Type tests (`*.test-d.ts`: expectTypeOf and @ts-expect-error lines) run through tsc with
    // the repository's tsconfig, as part of every `npm test`.
    typecheck: {
      enabled: true,
      include: ["packages/*/test/**/*.test-d.ts"],
      tsconfig: "tsconfig.json",
    },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Child-process tests (crash recovery, tsx) are heavy on a 2-core machine.
    maxWorkers: 2,
    // The JSON report lets .ci/run print one "N passed, N failed" line for CI.
    reporters: ["default", "json"],
    outputFile: { json: ".tmp/vitest-report.json" },
  },
});
