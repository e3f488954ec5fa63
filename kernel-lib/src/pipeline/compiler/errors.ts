// One error class for everything a notebook can get wrong, carrying every problem found so the
// user fixes them in one pass instead of one compile per mistake.

import type { AnnotationProblem } from "../../spec/annotations";
import type { CellRef } from "../../spec/pipeline-spec";

/** Why a notebook did not compile; stable identifiers for tests, the CLI and the extension. */
export type CompileProblemCode =
  | AnnotationProblem["code"]
  | "invalid-notebook"
  | "unsupported-format"
  | "unsupported-kernel"
  | "syntax-error"
  | "no-steps"
  | "duplicate-step"
  | "unknown-after"
  | "code-before-first-step"
  | "transform-not-declarative"
  | "invalid-params"
  | "duplicate-name"
  | "undefined-name"
  | "ambiguous-output"
  | "reassigned-upstream"
  | "function-crosses-step"
  | "cycle"
  | "missing-lockfile"
  | "invalid-pipeline-name";

/**
 * One thing wrong with a notebook: what happened (`message`), where (`cell`, absent for problems
 * with the file as a whole) and what to do (`fix`).
 *
 * @example
 * ```ts
 * const problem: CompileProblem = {
 *   code: "undefined-name",
 *   cell: { index: 4, firstLine: "// @kiln step=train" },
 *   message: "step `train` reads `xs`, which is used but defined nowhere upstream.",
 *   fix: "Declare `xs` in an earlier step, or in a cell before the first step.",
 * };
 * ```
 */
export interface CompileProblem {
  code: CompileProblemCode;
  cell?: CellRef;
  message: string;
  fix: string;
}

/**
 * A notebook could not be compiled into a pipeline. The message lists every problem with its
 * cell (index in the notebook's `cells` array counting from 0, plus its first line) and a fix.
 *
 * @example
 * ```ts
 * try {
 *   await compileNotebookFile("notebooks/churn.ipynb");
 * } catch (err) {
 *   if (err instanceof NotebookCompileError) {
 *     for (const p of err.problems) console.error(p.cell?.index, p.message, p.fix);
 *   } else throw err;
 * }
 * ```
 */
export class NotebookCompileError extends Error {
  override name = "NotebookCompileError";
  readonly problems: CompileProblem[];
  /** The notebook's path or pipeline name, when known. */
  readonly notebook: string | undefined;

  constructor(problems: CompileProblem[], options?: { notebook?: string; cause?: unknown }) {
    super(formatProblems(problems, options?.notebook), { cause: options?.cause });
    this.problems = problems;
    this.notebook = options?.notebook;
  }
}

/**
 * Formats a problem's location as messages show it: `cell 3 (`const x = 1;`)`.
 *
 * @example
 * ```ts
 * describeCell({ index: 3, firstLine: "const x = 1;" }); // "cell 3 (`const x = 1;`)"
 * ```
 */
export function describeCell(cell: CellRef): string {
  return cell.firstLine === ""
    ? `cell ${cell.index} (empty)`
    : `cell ${cell.index} (\`${cell.firstLine}\`)`;
}

function formatProblems(problems: CompileProblem[], notebook: string | undefined): string {
  const subject = notebook === undefined ? "the notebook" : `notebook ${notebook}`;
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((p, i) => {
    const where = p.cell ? `${describeCell(p.cell)}: ` : "";
    return `  ${i + 1}. ${where}${p.message}\n     Fix: ${p.fix}`;
  });
  return `Cannot compile ${subject} into a pipeline (${count}):\n${lines.join("\n")}`;
}
