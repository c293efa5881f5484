// Type-aware lint over every package, test, example and benchmark.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", ".tmp/**", "**/fixtures/legacy/**", "**/fixtures/tc39/**"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      // Task functions and contexts are user-shaped data: `any` appears at those seams on purpose.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      // Store methods are async so that a synchronous driver's throw becomes a rejection.
      "@typescript-eslint/require-await": "off",
      // Abort reasons are `unknown` by the platform's own typing; we pass them on as they are.
      "@typescript-eslint/prefer-promise-reject-errors": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // `dependsOn: [Etl.extract]` names a decorated static method as a task reference; the engine
      // calls it on its class, never unbound (README, "Typed workflows").
      "@typescript-eslint/unbound-method": ["error", { ignoreStatic: true }],
    },
  },
  {
    // The dashboard's browser code puts server data in the DOM as text only (docs/dashboard.md).
    files: ["packages/dispatcher/src/dashboard/browser/**/*.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        ...["innerHTML", "outerHTML", "insertAdjacentHTML", "createContextualFragment"].map((property) => ({
          property,
          message: "Build nodes with h()/s() and textContent: data must never be parsed as HTML.",
        })),
        { object: "document", property: "write", message: "Build nodes with h()/s()." },
        { object: "document", property: "writeln", message: "Build nodes with h()/s()." },
      ],
    },
  },
  {
    // Plain JavaScript outside every tsconfig: the config and the packages' bin launchers.
    files: ["eslint.config.js", "packages/*/bin/*.js"],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
