// Cell annotations: how a notebook cell says what it is in a pipeline. Browser-safe (no Node, no
// TypeScript compiler) so the JupyterLab extension and the compiler share one parser.
//
// Two equivalent forms:
//   metadata: { "kiln": { "kind": "step", "step": "train", "after": ["prepare"], "cache": false } }
//   comment:  // @kiln step=train after=prepare cache=false     (first non-empty line of the cell)

import type { CellRef } from "./pipeline-spec";

/** What an annotated cell is: a step, pipeline parameters, feature transforms, or excluded. */
export type KilnCellKind = "step" | "params" | "transform" | "skip";

/** Every kind, in the order the extension offers them. */
export const KILN_CELL_KINDS: readonly KilnCellKind[] = ["step", "params", "transform", "skip"];

/**
 * A parsed, validated cell annotation. `after` is sorted and free of duplicates so two spellings
 * of the same annotation compare equal.
 *
 * @example
 * ```ts
 * const train: KilnCellAnnotation = { kind: "step", step: "train", after: ["prepare"], cache: true };
 * const params: KilnCellAnnotation = { kind: "params" };
 * ```
 */
export type KilnCellAnnotation =
  | { kind: "step"; step: string; after: string[]; cache: boolean }
  | { kind: "params" }
  | { kind: "transform" }
  | { kind: "skip" };

/** The `kiln` object as stored in cell metadata (the canonical form, written by the extension). */
export type KilnCellMetadata =
  | { kind: "step"; step: string; after?: string[]; cache?: boolean }
  | { kind: "params" | "transform" | "skip" };

/**
 * Step names: lower case, digits, `_` and `-`, starting with a letter. They become directory
 * names and MLflow run names, hence the narrow alphabet.
 *
 * @example
 * ```ts
 * STEP_NAME_PATTERN.test("train-model"); // true
 * STEP_NAME_PATTERN.test("Train"); // false
 * ```
 */
export const STEP_NAME_PATTERN = /^[a-z][a-z0-9_-]*$/;

/**
 * Checks a step name against the rules every annotation form follows ({@link STEP_NAME_PATTERN}),
 * so an editor can say what is wrong while the name is typed.
 *
 * @returns `undefined` for a valid name, else an `Error` whose message says what is wrong.
 * @example
 * ```ts
 * checkStepName("train"); // undefined
 * checkStepName("Train")?.message;
 * // "invalid step name `Train` (names start with a lower-case letter and use only a-z, 0-9, `_` and `-`)"
 * ```
 */
export function checkStepName(name: string): Error | undefined {
  if (name === "") return new Error("a step needs a name, as in `step=train`");
  if (!STEP_NAME_PATTERN.test(name)) {
    return new Error(`invalid step name \`${name}\` (${stepNameRule()})`);
  }
  return undefined;
}

/** A problem with one cell's annotation; the compiler reports it as a compile problem. */
export interface AnnotationProblem {
  code: "invalid-annotation" | "conflicting-annotations";
  cell: CellRef;
  message: string;
  fix: string;
}

/** The parts of a notebook cell annotations look at (nbformat stores `source` as a string or lines). */
export interface AnnotatableCell {
  /** Position in the notebook's `cells` array, counting every cell (markdown too), from 0. */
  index: number;
  source: string | readonly string[];
  metadata?: Readonly<Record<string, unknown>>;
}

/** Result of {@link resolveCellAnnotation}: the annotation (absent for a plain cell) or why not. */
export type AnnotationResolution =
  | { ok: true; annotation: KilnCellAnnotation | undefined }
  | { ok: false; problem: AnnotationProblem };

const COMMENT_PREFIX = /^\s*\/\/\s*@kiln(?=\s|$)/;
const COMMENT_KEYS = ["step", "after", "cache"] as const;
const METADATA_KEYS = ["kind", "step", "after", "cache"] as const;
const FIRST_LINE_MAX = 80;

/**
 * The cell reference errors and specs use: the index and the first non-empty line, trimmed (and
 * shortened to 80 characters so messages stay readable).
 *
 * @example
 * ```ts
 * cellRefOf(3, "\n// @kiln step=train\nconst model = fit(xs);"); // { index: 3, firstLine: "// @kiln step=train" }
 * ```
 */
export function cellRefOf(index: number, source: string | readonly string[]): CellRef {
  const line = firstNonEmptyLine(joinSource(source)) ?? "";
  const firstLine = line.length > FIRST_LINE_MAX ? `${line.slice(0, FIRST_LINE_MAX - 1)}…` : line;
  return { index, firstLine };
}

/**
 * Parses the annotation comment on a cell's first non-empty line, if there is one.
 *
 * @returns the annotation, `undefined` when the first line is not a `// @kiln` comment, or an
 *   `Error` whose message says what is wrong with the comment.
 * @example
 * ```ts
 * parseAnnotationComment("// @kiln step=train after=prepare,clean cache=false\nfit();");
 * // { kind: "step", step: "train", after: ["clean", "prepare"], cache: false }
 * parseAnnotationComment("// @kiln params"); // { kind: "params" }
 * ```
 */
export function parseAnnotationComment(
  source: string | readonly string[],
): KilnCellAnnotation | undefined | Error {
  const line = firstNonEmptyLine(joinSource(source));
  if (line === undefined || !COMMENT_PREFIX.test(line)) return undefined;
  const tokens = line.replace(COMMENT_PREFIX, "").trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) {
    return new Error("the comment `// @kiln` names no kind");
  }
  let kindWord: string | undefined;
  const pairs = new Map<string, string>();
  for (const token of tokens) {
    const eq = token.indexOf("=");
    if (eq < 0) {
      if (kindWord !== undefined) {
        return new Error(`the comment names two kinds, \`${kindWord}\` and \`${token}\``);
      }
      kindWord = token;
      continue;
    }
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (!(COMMENT_KEYS as readonly string[]).includes(key)) {
      return new Error(
        `unknown key \`${key}\` in the comment (known keys: ${COMMENT_KEYS.join(", ")})`,
      );
    }
    if (pairs.has(key)) return new Error(`the key \`${key}\` appears twice in the comment`);
    pairs.set(key, value);
  }
  const kind = kindWord ?? (pairs.has("step") ? "step" : undefined);
  return validate({
    kind,
    step: pairs.get("step"),
    after: pairs.has("after") ? (pairs.get("after") ?? "").split(",") : undefined,
    cache: pairs.has("cache") ? parseBooleanWord(pairs.get("cache") ?? "") : undefined,
    present: new Set(pairs.keys()),
  });
}

/**
 * Parses the `kiln` object of a cell's metadata (the canonical form).
 *
 * @returns the annotation, `undefined` when `kiln` is absent or null, or an `Error` saying what
 *   is wrong with it.
 * @example
 * ```ts
 * parseAnnotationMetadata({ kind: "step", step: "train", after: ["prepare"] });
 * // { kind: "step", step: "train", after: ["prepare"], cache: true }
 * ```
 */
export function parseAnnotationMetadata(kiln: unknown): KilnCellAnnotation | undefined | Error {
  if (kiln === undefined || kiln === null) return undefined;
  if (typeof kiln !== "object" || Array.isArray(kiln)) {
    return new Error(`metadata \`kiln\` must be an object, got ${JSON.stringify(kiln)}`);
  }
  const record = kiln as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(METADATA_KEYS as readonly string[]).includes(key)) {
      return new Error(
        `unknown key \`${key}\` in metadata \`kiln\` (known keys: ${METADATA_KEYS.join(", ")})`,
      );
    }
  }
  const { kind, step, after, cache } = record;
  if (kind !== undefined && typeof kind !== "string") {
    return new Error(`metadata \`kiln.kind\` must be a string, got ${JSON.stringify(kind)}`);
  }
  if (step !== undefined && typeof step !== "string") {
    return new Error(`metadata \`kiln.step\` must be a string, got ${JSON.stringify(step)}`);
  }
  if (after !== undefined && !(Array.isArray(after) && after.every((a) => typeof a === "string"))) {
    return new Error(
      `metadata \`kiln.after\` must be an array of step names, got ${JSON.stringify(after)}`,
    );
  }
  if (cache !== undefined && typeof cache !== "boolean") {
    return new Error(`metadata \`kiln.cache\` must be true or false, got ${JSON.stringify(cache)}`);
  }
  return validate({
    // The architecture notes show `{ "step": "train" }` without a kind; accept it as a step.
    kind: kind ?? (step !== undefined ? "step" : undefined),
    step,
    after: after as string[] | undefined,
    cache,
    present: new Set(Object.keys(record).filter((k) => k !== "kind")),
  });
}

/**
 * Reads a cell's annotation from both forms and checks they agree. The compiler calls this for
 * every code cell; the extension can call it to show the same problems while the user edits.
 *
 * @example
 * ```ts
 * const result = resolveCellAnnotation({ index: 2, source: "// @kiln skip\nplot(xs);" });
 * if (result.ok) console.log(result.annotation); // { kind: "skip" }
 * else console.error(result.problem.message, result.problem.fix);
 * ```
 */
export function resolveCellAnnotation(cell: AnnotatableCell): AnnotationResolution {
  const ref = cellRefOf(cell.index, cell.source);
  const fromMetadata = parseAnnotationMetadata(cell.metadata?.["kiln"]);
  if (fromMetadata instanceof Error) {
    return invalid(ref, `its metadata annotation is invalid: ${fromMetadata.message}.`);
  }
  const fromComment = parseAnnotationComment(cell.source);
  if (fromComment instanceof Error) {
    return invalid(ref, `its \`// @kiln\` comment is invalid: ${fromComment.message}.`);
  }
  if (fromComment === undefined && hasMisplacedComment(cell.source)) {
    // Silently ignoring it would fold the cell into the step above: say so instead.
    return invalid(
      ref,
      "it has a `// @kiln` comment below its first line; only the first non-empty line is read as an annotation.",
    );
  }
  if (fromMetadata && fromComment && !annotationsEqual(fromMetadata, fromComment)) {
    return {
      ok: false,
      problem: {
        code: "conflicting-annotations",
        cell: ref,
        message:
          `its metadata says \`${formatAnnotationComment(fromMetadata)}\` but its first line says ` +
          `\`${formatAnnotationComment(fromComment)}\`; both forms must agree.`,
        fix: "Edit the comment to match the annotation you want, or delete the comment and annotate the cell from the Kiln toolbar.",
      },
    };
  }
  return { ok: true, annotation: fromMetadata ?? fromComment };
}

/**
 * Renders an annotation as its comment form, so the extension can keep the comment in step with
 * the metadata. Defaults (`after` empty, `cache` true) are left out.
 *
 * @example
 * ```ts
 * formatAnnotationComment({ kind: "step", step: "train", after: ["prepare"], cache: false });
 * // "// @kiln step=train after=prepare cache=false"
 * ```
 */
export function formatAnnotationComment(annotation: KilnCellAnnotation): string {
  if (annotation.kind !== "step") return `// @kiln ${annotation.kind}`;
  const parts = [`// @kiln step=${annotation.step}`];
  if (annotation.after.length > 0) parts.push(`after=${annotation.after.join(",")}`);
  if (!annotation.cache) parts.push("cache=false");
  return parts.join(" ");
}

/**
 * Renders an annotation as the canonical metadata object (defaults left out).
 *
 * @example
 * ```ts
 * cell.model.setMetadata("kiln", toAnnotationMetadata({ kind: "params" })); // { kind: "params" }
 * ```
 */
export function toAnnotationMetadata(annotation: KilnCellAnnotation): KilnCellMetadata {
  if (annotation.kind !== "step") return { kind: annotation.kind };
  return {
    kind: "step",
    step: annotation.step,
    ...(annotation.after.length > 0 ? { after: [...annotation.after] } : {}),
    ...(annotation.cache ? {} : { cache: false }),
  };
}

/**
 * Returns the cell source with its annotation comment replaced, added (as the first line) or
 * removed (when `annotation` is undefined). Other lines are left untouched.
 *
 * @example
 * ```ts
 * withAnnotationComment("const x = 1;", { kind: "params" }); // "// @kiln params\nconst x = 1;"
 * withAnnotationComment("// @kiln skip\nplot();", undefined); // "plot();"
 * ```
 */
export function withAnnotationComment(
  source: string,
  annotation: KilnCellAnnotation | undefined,
): string {
  const lines = source.split("\n");
  const first = lines.findIndex((line) => line.trim() !== "");
  const hasComment = first >= 0 && COMMENT_PREFIX.test(lines[first] ?? "");
  if (hasComment) lines.splice(first, 1);
  if (annotation) lines.splice(hasComment ? first : 0, 0, formatAnnotationComment(annotation));
  return lines.join("\n");
}

/**
 * Whether two annotations mean the same (after order is irrelevant).
 *
 * @example
 * ```ts
 * annotationsEqual({ kind: "skip" }, { kind: "skip" }); // true
 * ```
 */
export function annotationsEqual(a: KilnCellAnnotation, b: KilnCellAnnotation): boolean {
  if (a.kind !== "step" || b.kind !== "step") return a.kind === b.kind;
  return (
    a.step === b.step &&
    a.cache === b.cache &&
    a.after.length === b.after.length &&
    a.after.every((name, i) => name === b.after[i])
  );
}

type RawAnnotation = {
  kind: string | undefined;
  step: string | undefined;
  after: string[] | undefined;
  cache: boolean | undefined | Error;
  /** Keys given besides the kind, to reject step-only keys on other kinds. */
  present: Set<string>;
};

// One validation for both forms, so they accept and reject exactly the same annotations.
function validate(raw: RawAnnotation): KilnCellAnnotation | Error {
  if (raw.kind === undefined) {
    return new Error(`no kind given (expected one of ${KILN_CELL_KINDS.join(", ")})`);
  }
  if (!(KILN_CELL_KINDS as readonly string[]).includes(raw.kind)) {
    return new Error(
      `unknown kind \`${raw.kind}\` (expected one of ${KILN_CELL_KINDS.join(", ")})`,
    );
  }
  if (raw.kind !== "step") {
    const extra = [...raw.present];
    if (extra.length > 0) {
      return new Error(
        `\`${extra.join("`, `")}\` only applies to steps, not to a \`${raw.kind}\` cell`,
      );
    }
    return { kind: raw.kind as "params" | "transform" | "skip" };
  }
  const step = raw.step ?? "";
  const nameError = checkStepName(step);
  if (nameError) return nameError;
  const after = [...new Set(raw.after ?? [])].sort();
  for (const name of after) {
    if (!STEP_NAME_PATTERN.test(name)) {
      return new Error(`invalid step name \`${name}\` in \`after\` (${stepNameRule()})`);
    }
  }
  if (raw.cache instanceof Error) return raw.cache;
  return { kind: "step", step, after, cache: raw.cache ?? true };
}

function stepNameRule(): string {
  return "names start with a lower-case letter and use only a-z, 0-9, `_` and `-`";
}

function parseBooleanWord(word: string): boolean | Error {
  if (word === "true") return true;
  if (word === "false") return false;
  return new Error(`\`cache\` must be true or false, got \`${word}\``);
}

function invalid(cell: CellRef, message: string): AnnotationResolution {
  return {
    ok: false,
    problem: {
      code: "invalid-annotation",
      cell,
      message,
      fix:
        "Write the annotation as `// @kiln step=<name> [after=<a>,<b>] [cache=false]`, " +
        "`// @kiln params`, `// @kiln transform` or `// @kiln skip` " +
        '(metadata: `{"kind": "step", "step": "<name>", "after": [...]}`).',
    },
  };
}

function hasMisplacedComment(source: string | readonly string[]): boolean {
  return joinSource(source)
    .split("\n")
    .some((line) => COMMENT_PREFIX.test(line));
}

function joinSource(source: string | readonly string[]): string {
  return typeof source === "string" ? source : source.join("");
}

function firstNonEmptyLine(text: string): string | undefined {
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed !== "") return trimmed;
  }
  return undefined;
}

/** A notebook-wide annotation rule broken: what the compiler and the extension both report. */
export type StepNameProblem = {
  code: "duplicate-step" | "unknown-after";
  message: string;
  fix: string;
};

/**
 * The problem of a step name used twice; `firstCell` is the index of the cell that has it first.
 *
 * @example
 * ```ts
 * duplicateStepProblem("train", 2).message; // "step name `train` is already used by cell 2; …"
 * ```
 */
export function duplicateStepProblem(step: string, firstCell: number | undefined): StepNameProblem {
  return {
    code: "duplicate-step",
    message: `step name \`${step}\` is already used by ${firstCell === undefined ? "an earlier cell" : `cell ${firstCell}`}; step names must be unique.`,
    fix: "Rename one of the steps, or remove this cell's annotation so it joins the step above.",
  };
}

/**
 * The problem of an `after` that names no step; `otherSteps` are the steps it could name.
 *
 * @example
 * ```ts
 * unknownAfterProblem("train", "prep", ["load"]).fix; // "Change `after` to the name of an existing step, …"
 * ```
 */
export function unknownAfterProblem(
  step: string,
  target: string,
  otherSteps: readonly string[],
): StepNameProblem {
  const known =
    otherSteps.length > 0 ? otherSteps.map((name) => `\`${name}\``).join(", ") : "none other";
  return {
    code: "unknown-after",
    message: `step \`${step}\` says \`after=${target}\`, but there is no step \`${target}\` (steps: ${known}).`,
    fix: `Change \`after\` to the name of an existing step, or remove \`${target}\` from it.`,
  };
}
