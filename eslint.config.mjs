import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/",
      "**/dist/",
      "**/.venv/",
      "**/.kiln/",
      "**/*.d.ts",
      "extension/lib/",
      "extension/kiln_jupyterlab/labextension/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
  },
  {
    // Plain .js files in this repo are CommonJS entry points.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The spec module is imported by the JupyterLab extension: browser-safe, self-contained.
    files: ["kernel-lib/src/spec/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: ["node:*", "fs", "path", "child_process", "os", "../*", "typescript", "axios"],
        },
      ],
    },
  },
  {
    // The JupyterLab extension runs in the browser: only the browser-safe part of kernel-lib.
    files: ["extension/src/**/*.ts"],
    ignores: ["extension/src/**/*.test.ts"],
    languageOptions: { globals: globals.browser },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@kiln/kernel-lib",
              message: "Import the browser-safe `@kiln/kernel-lib/spec` instead.",
            },
          ],
          patterns: [
            {
              group: ["@kiln/kernel-lib/*", "!@kiln/kernel-lib/spec"],
              message: "Only `@kiln/kernel-lib/spec` is browser-safe.",
            },
            { group: ["node:*", "fs", "path", "child_process", "os"], message: "Browser code." },
          ],
        },
      ],
    },
  },
  {
    // Webpack loads the extension's style module as an ES module.
    files: ["extension/style/*.js"],
    languageOptions: { sourceType: "module" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
