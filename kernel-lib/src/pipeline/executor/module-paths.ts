/**
 * Where a step process finds its modules. Packages installed next to the notebook come first
 * (walking up from its directory, as Node would from a file there), then Kiln's own checkout, so
 * `@kiln/kernel-lib`, tfjs-node and apache-arrow always resolve even for a notebook elsewhere.
 *
 * @example
 * ```ts
 * const env = { ...process.env, NODE_PATH: stepNodePath("/home/me/nb").join(path.delimiter) };
 * ```
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const PACKAGE_NAME = "@kiln/kernel-lib";

let root: string | undefined;

/** The `kernel-lib` package directory this code belongs to (from `src/` or `dist/`). */
export function kernelLibRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME) return (root = dir);
    if (dirname(dir) === dir)
      throw new Error(`Cannot find the ${PACKAGE_NAME} package above ${__dirname}.`);
  }
}

function readPackageName(manifest: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** Every `node_modules` directory from `dir` up to the file-system root, nearest first. */
export function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, "node_modules");
    if (existsSync(candidate)) found.push(candidate);
    if (dirname(current) === current) return found;
  }
}

/** NODE_PATH entries for a step of a notebook in `notebookDir` (when known). */
export function stepNodePath(notebookDir: string | undefined): string[] {
  const dirs = [
    ...(notebookDir ? nodeModulesAbove(notebookDir) : []),
    ...nodeModulesAbove(kernelLibRoot()),
  ];
  return [...new Set(dirs)];
}

/**
 * The compiled step harness. Step processes run plain Node, so they use kernel-lib's `dist/`
 * even when the executor itself runs from sources (tests); a missing build is a clear error.
 */
export function stepHarnessPath(): string {
  const harness = join(kernelLibRoot(), "dist", "pipeline", "executor", "step-harness.js");
  if (!existsSync(harness)) {
    throw new Error(
      `${harness} does not exist: step processes need the compiled kernel-lib. Run \`npm run build\` in the Kiln checkout.`,
    );
  }
  return harness;
}
