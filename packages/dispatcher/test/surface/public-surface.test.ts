/**
 * Every package's public surface, pinned: the names each entry point exports, values and types.
 * A change to any of them shows in review as a change to `public-surface.txt` (run
 * `npx vitest run packages/dispatcher/test/surface -u` to accept one on purpose).
 */
import path from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "../../../..");
const ENTRIES: Record<string, string> = {
  cloacina: "packages/dispatcher/src/index.ts",
  "cloacina/dashboard": "packages/dispatcher/src/dashboard/index.ts",
  "@cloacina/engine": "packages/engine/src/index.ts",
  "@cloacina/engine/store": "packages/engine/src/store/index.ts",
  "@cloacina/engine/events": "packages/engine/src/events/index.ts",
  "@cloacina/engine/conformance": "packages/engine/src/conformance/index.ts",
  "@cloacina/engine/internal": "packages/engine/src/internal.ts",
  "@cloacina/backend-sqlite": "packages/backend-sqlite/src/index.ts",
  "@cloacina/backend-postgres": "packages/backend-postgres/src/index.ts",
};

test("the exported names of every entry point are the pinned ones", async () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  )!;
  const files = Object.values(ENTRIES).map((file) => path.join(root, file));
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const lines: string[] = [];
  for (const [entry, file] of Object.entries(ENTRIES)) {
    const source = program.getSourceFile(path.join(root, file))!;
    const module = checker.getSymbolAtLocation(source)!;
    const names = checker.getExportsOfModule(module).map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return `${target.flags & ts.SymbolFlags.Value ? "value" : "type "} ${symbol.name}`;
    });
    lines.push(`# ${entry}`, ...names.sort((a, b) => a.slice(6).localeCompare(b.slice(6))), "");
  }
  await expect(lines.join("\n")).toMatchFileSnapshot("public-surface.txt");
}, 60_000);
