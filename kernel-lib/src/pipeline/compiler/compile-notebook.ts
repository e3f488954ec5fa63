// The compiler's entry points: a pure notebook → spec function, and a file-based variant that
// finds the lockfile and registers the version.

import { promises as fs } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import {
  PIPELINE_SPEC_SCHEMA,
  type PipelineSpec,
  type SharedCodeSpec,
  type StepSpec,
  type VersionedPipeline,
} from "../../spec/pipeline-spec";
import { compileCacheKey, readCompiledSpec, writeCompiledSpec } from "./compile-cache";
import { buildDag } from "./dag";
import { NotebookCompileError, type CompileProblem } from "./errors";
import { canonicalJson, sha256, specHash, stepHash } from "./hashing";
import { resolveNames } from "./name-resolution";
import { parseNotebook, type ParsedNotebook } from "./notebook-format";
import { groupCells, type AnalyzedCell } from "./step-grouping";
import { registerPipelineVersion } from "./version-registry";

/** Options of {@link compileNotebook}. */
export type CompileNotebookOptions = {
  /** The notebook's path, recorded in the spec and used for the default name. */
  path?: string;
  /** Pipeline name; defaults to the notebook's file name without `.ipynb`. */
  name?: string;
  /** Hash of the package lockfile the steps run with (part of every step hash). */
  lockfileHash: string;
};

/** Options of {@link compileNotebookFile}. */
export type CompileNotebookFileOptions = {
  /** Where the registry lives; `.kiln` (relative to the working directory) by default. */
  stateDir?: string;
  /** Defaults to the sha256 of the nearest `package-lock.json` above the notebook. */
  lockfileHash?: string;
  name?: string;
};

/** Pipeline names become registry keys and directory names: keep them path-safe. */
const PIPELINE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Compiles an annotated notebook (JSON text or parsed object) into a pipeline spec. Pure: no
 * file system, same input, same spec and hash.
 *
 * @throws NotebookCompileError listing every problem found, each with its cell and a fix.
 * @example
 * ```ts
 * const spec = compileNotebook(await fs.readFile("churn.ipynb", "utf8"), {
 *   path: "notebooks/churn.ipynb",
 *   lockfileHash: sha256(await fs.readFile("package-lock.json")),
 * });
 * spec.steps.map((s) => s.name); // ["prepare", "train", "evaluate"]
 * ```
 */
export function compileNotebook(
  notebook: string | unknown,
  options: CompileNotebookOptions,
): PipelineSpec {
  const label = options.path ?? options.name;
  const fail = (problems: CompileProblem[]): never => {
    throw new NotebookCompileError(sortByCell(problems), { notebook: label });
  };
  const name =
    options.name ?? (options.path ? basename(options.path).replace(/\.ipynb$/i, "") : "pipeline");
  if (!PIPELINE_NAME_PATTERN.test(name)) {
    fail([
      {
        code: "invalid-pipeline-name",
        message: `the pipeline name \`${name}\` is not allowed (names use letters, digits, \`.\`, \`_\` and \`-\`, starting with a letter or digit).`,
        fix: "Rename the notebook file, or pass a `name` option.",
      },
    ]);
  }

  const parsed = parseNotebook(notebook, label);
  const { groups, problems: groupProblems } = groupCells(parsed);
  if (groupProblems.length > 0) fail(groupProblems);
  const resolution = resolveNames(groups);
  const dag = buildDag(resolution.steps);
  if (resolution.problems.length > 0 || dag.problems.length > 0) {
    fail([...resolution.problems, ...dag.problems]);
  }

  const shared = codeSpec(groups.shared, resolution.sharedNames);
  const transforms = codeSpec(groups.transforms, resolution.transformNames);
  const paramsByName = new Map(resolution.params.map((p) => [p.name, p]));
  const resolvedByName = new Map(resolution.steps.map((s) => [s.group.name, s]));
  const hashes = new Map<string, string>();
  const steps: StepSpec[] = dag.order.map((stepName) => {
    const resolved = resolvedByName.get(stepName);
    if (!resolved) throw new Error(`internal: step ${stepName} missing after ordering`);
    const dependsOn = dag.dependsOn.get(stepName) ?? [];
    const code = joinCells(resolved.group.cells);
    const hash = stepHash({
      code,
      sharedCode: shared.code,
      transformCode: resolved.transforms.length > 0 ? transforms.code : "",
      params: resolved.params.flatMap((p) => paramsByName.get(p) ?? []),
      upstream: Object.fromEntries(dependsOn.map((d) => [d, hashes.get(d) ?? ""])),
      lockfileHash: options.lockfileHash,
    });
    hashes.set(stepName, hash);
    return {
      name: stepName,
      cells: resolved.group.cells.map((c) => c.ref),
      code,
      inputs: resolved.inputs,
      outputs: resolved.outputs,
      params: resolved.params,
      transforms: resolved.transforms,
      after: resolved.group.after,
      dependsOn,
      cache: resolved.group.cache,
      hash,
    };
  });

  const draft: Omit<PipelineSpec, "hash"> = {
    schema: PIPELINE_SPEC_SCHEMA,
    name,
    notebook: { path: options.path, hash: notebookHash(parsed) },
    shared,
    transforms,
    params: resolution.params,
    steps,
    edges: dag.edges,
    lockfileHash: options.lockfileHash,
  };
  return { ...draft, hash: specHash(draft) };
}

/**
 * Reads, compiles and registers a notebook: the spec plus its version from
 * `<stateDir>/pipelines/registry.json` (unchanged notebook, same version). Nothing is written
 * when compilation fails. The spec records the path relative to the working directory.
 *
 * @throws NotebookCompileError for problems in the notebook (or a missing lockfile);
 *   PipelineRegistryError when the registry cannot be updated.
 * @example
 * ```ts
 * const { spec, version } = await compileNotebookFile("notebooks/churn.ipynb");
 * console.log(`${spec.name} ${version}: ${spec.steps.length} steps`);
 * ```
 */
export async function compileNotebookFile(
  path: string,
  options: CompileNotebookFileOptions = {},
): Promise<VersionedPipeline> {
  const absolute = resolve(path);
  const shownPath = relative(process.cwd(), absolute).split(sep).join("/");
  let text: string;
  try {
    text = await fs.readFile(absolute, "utf8");
  } catch (err) {
    throw new NotebookCompileError(
      [
        {
          code: "invalid-notebook",
          message: `cannot read the notebook file ${absolute}: ${(err as Error).message}.`,
          fix: "Check the path (it is resolved against the current directory).",
        },
      ],
      { notebook: shownPath, cause: err },
    );
  }
  const lockfileHash =
    options.lockfileHash ?? (await nearestLockfileHash(dirname(absolute), shownPath));
  const stateDir = options.stateDir ?? ".kiln";
  const cacheKey = compileCacheKey(text, lockfileHash, options.name);
  const cached = await readCompiledSpec(stateDir, cacheKey);
  // The path is not part of the hash, so a cached spec takes the path it is compiled from now.
  const spec = cached
    ? { ...cached, notebook: { ...cached.notebook, path: shownPath } }
    : compileNotebook(text, { path: shownPath, name: options.name, lockfileHash });
  const { version } = await registerPipelineVersion(stateDir, spec);
  if (!cached) await writeCompiledSpec(stateDir, cacheKey, spec);
  return { spec, version };
}

const lockfileHashes = new Map<string, { mtimeMs: number; size: number; hash: string }>();

/**
 * sha256 of the nearest `package-lock.json` in `dir` or above it, or undefined when none exists.
 *
 * @example
 * ```ts
 * await findLockfileHash("notebooks"); // "9f2c…" (hash of ./package-lock.json)
 * ```
 */
export async function findLockfileHash(dir: string): Promise<string | undefined> {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const file = join(current, "package-lock.json");
    try {
      // The server analyzes a notebook at every pause in typing: hash a lockfile again only
      // when it changed, not its megabytes on every call.
      const { mtimeMs, size } = await fs.stat(file);
      const known = lockfileHashes.get(file);
      if (known && known.mtimeMs === mtimeMs && known.size === size) return known.hash;
      const hash = sha256(await fs.readFile(file));
      lockfileHashes.set(file, { mtimeMs, size, hash });
      return hash;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (dirname(current) === current) return undefined;
  }
}

// A notebook outside any npm project runs with Kiln's own packages (steps resolve them from the
// Kiln checkout), so Kiln's lockfile pins it.
/**
 * The lockfile hash a notebook in `dir` compiles with: the nearest `package-lock.json` above it,
 * else Kiln's own.
 *
 * @throws NotebookCompileError (`missing-lockfile`) when there is neither.
 * @example
 * ```ts
 * const lockfileHash = await nearestLockfileHash("notebooks", "notebooks/churn.ipynb");
 * ```
 */
export async function nearestLockfileHash(dir: string, notebook: string): Promise<string> {
  const hash = (await findLockfileHash(dir)) ?? (await findLockfileHash(__dirname));
  if (hash !== undefined) return hash;
  throw new NotebookCompileError(
    [
      {
        code: "missing-lockfile",
        message: `no package-lock.json was found in ${dir}, in the Kiln installation, or any folder above them; step hashes must pin the packages the steps run with.`,
        fix: "Run `npm install` in the project that holds the notebook (it writes package-lock.json), or pass `lockfileHash`.",
      },
    ],
    { notebook },
  );
}

function codeSpec(cells: AnalyzedCell[], names: string[]): SharedCodeSpec {
  return { cells: cells.map((c) => c.ref), code: joinCells(cells), names };
}

// Cells run as one program, so a cell ending without `;` followed by one starting with `(`, `[`,
// a template or an operator would be glued onto it by automatic semicolon insertion.
const ASI_HAZARD = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*[([`+\-/]/;

function joinCells(cells: AnalyzedCell[]): string {
  return cells
    .map((cell, i) => {
      const source = cell.source.endsWith("\n") ? cell.source : `${cell.source}\n`;
      return i > 0 && ASI_HAZARD.test(source) ? `;${source}` : source;
    })
    .join("\n");
}

// Outputs and execution counts change on every run; only what compiles is hashed.
function notebookHash(notebook: ParsedNotebook): string {
  const cells = notebook.cells
    .filter((c) => c.cellType === "code")
    .map((c) => ({ index: c.index, source: c.source, kiln: c.metadata["kiln"] ?? null }));
  return sha256(canonicalJson(cells));
}

function sortByCell(problems: CompileProblem[]): CompileProblem[] {
  const at = (p: CompileProblem): number => p.cell?.index ?? Number.MAX_SAFE_INTEGER;
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => at(a.p) - at(b.p) || a.i - b.i)
    .map(({ p }) => p);
}
