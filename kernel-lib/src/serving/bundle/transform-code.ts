/**
 * The feature transform a bundle carries: source code plus the name of its entry function, stored
 * as `transform.json` + `transform.ts|js`. Serving evaluates the code unchanged (TypeScript is
 * transpiled first), so it must be self-contained: it may `require` Node built-ins and packages
 * installed next to the server, and sees no notebook state.
 *
 * The entry function takes one row (feature name → number, or null for a missing feature of a
 * row the fallback serves) and returns a row of the same kind; the model's inputs are then read
 * from it in the schema's (or fallback's) feature order.
 *
 * @example
 * ```ts
 * const source = transformSource({ code: "function scale(r) { return { ...r, t: r.t / 100 }; }", entry: "scale" });
 * const scale = compileTransform(source);
 * scale({ t: 50 }); // { t: 0.5 }
 * ```
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { BundleDefinitionError } from "./errors";

/** Schema id written into `transform.json`. */
export const TRANSFORM_FORMAT = "kiln.transform/v1";

/** A row as the transform sees and returns it. */
export type TransformRow = Record<string, number | null>;

/** A transform function. */
export type RowTransform = (row: TransformRow) => TransformRow;

/**
 * What `kiln.log.model(..., { transform })` accepts:
 * - a function: its `.toString()` is stored (it must not use variables from outside it);
 * - `{ code, entry }`: code (JavaScript, or TypeScript with `language: "typescript"`) declaring `entry`;
 * - `{ entry }` inside a pipeline step: the code of the notebook's `transform` cells is taken
 *   from the pipeline spec.
 */
export type TransformOption =
  RowTransform | { code: string; entry: string; language?: TransformLanguage } | { entry: string };

/** Language of stored transform code. */
export type TransformLanguage = "javascript" | "typescript";

/** A transform ready to be written or compiled. */
export type TransformSource = { code: string; entry: string; language: TransformLanguage };

/** Content of `transform.json`. */
export type TransformManifest = {
  format: typeof TRANSFORM_FORMAT;
  entry: string;
  language: TransformLanguage;
  /** Relative path of the code file. */
  file: string;
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Turns the user's option into source code. `pipelineTransforms` is the code of the notebook's
 * transform cells (TypeScript) when running in a pipeline step.
 */
export function transformSource(
  option: TransformOption,
  pipelineTransforms?: { code: string; names: string[] },
): TransformSource {
  if (typeof option === "function") {
    // Arrow functions have no name of their own: bind whatever the text is to a fixed one.
    return {
      code: `const transform = ${option.toString()};\n`,
      entry: "transform",
      language: "javascript",
    };
  }
  if (!IDENTIFIER.test(option.entry)) {
    throw new BundleDefinitionError(
      `transform.entry ${JSON.stringify(option.entry)} is not a function name; pass the name of the function declared in the transform code.`,
    );
  }
  if ("code" in option)
    return { code: option.code, entry: option.entry, language: option.language ?? "javascript" };
  if (!pipelineTransforms) {
    throw new BundleDefinitionError(
      `transform: { entry: "${option.entry}" } takes its code from the pipeline's transform cells, but this is not a pipeline step ` +
        "(or its pipeline spec could not be read). Pass the function itself, or { code, entry }.",
    );
  }
  if (!pipelineTransforms.names.includes(option.entry)) {
    throw new BundleDefinitionError(
      `transform.entry "${option.entry}" is not declared by the notebook's transform cells (they declare: ${pipelineTransforms.names.join(", ") || "nothing"}). ` +
        "Use one of those names, or add a `transform` cell declaring it.",
    );
  }
  return { code: pipelineTransforms.code, entry: option.entry, language: "typescript" };
}

/**
 * Evaluates transform code and returns its entry function. `baseDir` is where `require` resolves
 * from. Throws BundleDefinitionError when the code does not compile or `entry` is no function.
 */
export function compileTransform(source: TransformSource, baseDir = process.cwd()): RowTransform {
  const javascript = source.language === "typescript" ? transpile(source.code) : source.code;
  let entry: unknown;
  try {
    const module = { exports: {} as Record<string, unknown> };
    // The bundle's checksums were verified before this runs: the code is what was logged.
    entry = new Function("exports", "require", "module", `${javascript}\n;return ${source.entry};`)(
      module.exports,
      createRequire(join(baseDir, "transform.js")),
      module,
    );
  } catch (error) {
    throw new BundleDefinitionError(
      `The transform code could not be evaluated (${(error as Error).message}); it must declare "${source.entry}" and be self-contained.`,
      { cause: error },
    );
  }
  if (typeof entry !== "function") {
    throw new BundleDefinitionError(
      `The transform's "${source.entry}" is a ${typeof entry}, expected a function taking and returning a row.`,
    );
  }
  return entry as RowTransform;
}

function transpile(code: string): string {
  // Loaded on demand: TypeScript is large and only TypeScript transforms need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof import("typescript");
  return ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}
