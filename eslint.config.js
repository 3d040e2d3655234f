// Lint: typescript-eslint's recommended type-aware-free rules on src, test and bench.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".cache/**", "bench/results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "error",
    },
  },
  { files: ["src/cli/**", "bench/**", "test/**", "hack/**"], rules: { "no-console": "off" } },
  { files: ["**/*.mjs", "**/*.js"], languageOptions: { globals: { URL: "readonly", process: "readonly", console: "readonly" } } },
);
