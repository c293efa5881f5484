/**
 * The decorator type tests under experimentalDecorators (vitest's typecheck mode uses one
 * tsconfig, the repository's, which has standard decorators): the legacy fixture's project is
 * type-checked here, so a wrong inferred type or an @ts-expect-error that no longer fails
 * fails this test.
 */
import path from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";

test("decorated-method references type-check under experimentalDecorators", () => {
  const project = path.join(import.meta.dirname, "../fixtures/legacy/tsconfig.json");
  const config = ts.getParsedCommandLineOfConfigFile(
    project,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  )!;
  expect(config.options.experimentalDecorators).toBe(true);
  expect(config.fileNames.map((f) => path.basename(f))).toContain("decorator-types.ts");
  const program = ts.createProgram(config.fileNames, config.options);
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  expect(errors).toEqual([]);
}, 60_000);
