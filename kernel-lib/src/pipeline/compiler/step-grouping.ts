// From cells to blocks: every code cell is resolved to its annotation, analysed, and assigned to
// the shared code, the transforms, the params or a step.
//
// Grouping rule (as the issue specifies, simpler than Kale's "untagged cells join the previous
// tagged block"): an unannotated cell joins the nearest *step* above it; before the first step
// it is shared code, which must only import or declare. `params`, `transform` and `skip` mark
// their own cell only, so a helper cell below a transform cell does not silently become part of
// the serving code.

import {
  cellRefOf,
  duplicateStepProblem,
  resolveCellAnnotation,
  type KilnCellAnnotation,
} from "../../spec/annotations";
import type { CellRef, ParamSpec } from "../../spec/pipeline-spec";
import { analyzeCell, type CellAnalysis } from "./cell-analysis";
import type { CompileProblem } from "./errors";
import type { NotebookCell, ParsedNotebook } from "./notebook-format";
import { parseParamsCell } from "./params-cell";

/** A code cell with its annotation and analysis. */
export interface AnalyzedCell {
  ref: CellRef;
  source: string;
  annotation: KilnCellAnnotation | undefined;
  analysis: CellAnalysis;
}

/** A step's cells: its annotated cell and the unannotated cells below it. */
export interface StepGroup {
  name: string;
  after: string[];
  cache: boolean;
  cells: AnalyzedCell[];
}

/** The notebook's code cells sorted into the parts of a pipeline, in notebook order. */
export interface NotebookGroups {
  shared: AnalyzedCell[];
  transforms: AnalyzedCell[];
  params: { cell: AnalyzedCell; params: ParamSpec[] }[];
  steps: StepGroup[];
}

/**
 * Sorts a notebook's code cells into shared code, transforms, params and steps, collecting every
 * annotation, syntax and placement problem rather than stopping at the first.
 *
 * @example
 * ```ts
 * const { groups, problems } = groupCells(parseNotebook(text));
 * if (problems.length === 0) console.log(groups.steps.map((s) => s.name));
 * ```
 */
export function groupCells(notebook: ParsedNotebook): {
  groups: NotebookGroups;
  problems: CompileProblem[];
} {
  const problems: CompileProblem[] = [];
  const groups: NotebookGroups = { shared: [], transforms: [], params: [], steps: [] };
  const stepsByName = new Map<string, StepGroup>();
  let current: StepGroup | undefined;

  for (const cell of notebook.cells) {
    if (cell.cellType !== "code") continue;
    const resolved = resolveCellAnnotation(cell);
    if (!resolved.ok) {
      problems.push(resolved.problem);
      continue;
    }
    const annotation = resolved.annotation;
    // Skipped cells are scratch work (plots, experiments): not compiled, not even parsed.
    if (annotation?.kind === "skip") continue;
    if (annotation === undefined && cell.source.trim() === "") continue;

    const analyzed = analyze(cell, annotation, problems);
    if (!analyzed) continue;

    if (annotation?.kind === "step") {
      if (stepsByName.has(annotation.step)) {
        const first = stepsByName.get(annotation.step)?.cells[0]?.ref;
        problems.push({
          ...duplicateStepProblem(annotation.step, first?.index),
          cell: analyzed.ref,
        });
        continue;
      }
      current = {
        name: annotation.step,
        after: annotation.after,
        cache: annotation.cache,
        cells: [analyzed],
      };
      stepsByName.set(current.name, current);
      groups.steps.push(current);
    } else if (annotation?.kind === "params") {
      const parsed = parseParamsCell(cell.source);
      if (parsed.ok) groups.params.push({ cell: analyzed, params: parsed.params });
      else {
        problems.push({
          code: "invalid-params",
          cell: analyzed.ref,
          message: `params must be number, string or boolean literals or JSON-literal arrays/objects, but on line ${parsed.line} ${parsed.reason}.`,
          fix: "Write each param as `const name = <literal>;` (e.g. `const lr = 0.01;`) and compute derived values in a step.",
        });
      }
    } else if (annotation?.kind === "transform") {
      const offending = analyzed.analysis.firstNonDeclarative;
      if (offending) {
        problems.push({
          code: "transform-not-declarative",
          cell: analyzed.ref,
          message: `a transform cell may only import and declare (functions, classes, types, constants), but line ${offending.line} runs code: \`${offending.text}\`.`,
          fix: "Keep only the transform functions in this cell and move the code that runs into a step.",
        });
      } else groups.transforms.push(analyzed);
    } else if (current) {
      current.cells.push(analyzed);
    } else {
      const offending = analyzed.analysis.firstNonDeclarative;
      if (offending) {
        problems.push({
          code: "code-before-first-step",
          cell: analyzed.ref,
          message: `this cell comes before the first step and runs code (line ${offending.line}: \`${offending.text}\`); only cells that import or declare functions, classes, types or literal constants can be shared by every step.`,
          fix: "Annotate the cell as a step (first line `// @kiln step=<name>`), or mark it `// @kiln skip` if the pipeline does not need it.",
        });
      } else groups.shared.push(analyzed);
    }
  }

  if (groups.steps.length === 0) {
    // Without any step, "code before the first step" is every cell: one message says it better.
    const rest = problems.filter((p) => p.code !== "code-before-first-step");
    if (rest.length === 0) {
      rest.push({
        code: "no-steps",
        message: "the notebook has no step annotations, so the pipeline would be empty.",
        fix: "Mark the first cell of each step with `// @kiln step=<name>` (or the Kiln toolbar in JupyterLab).",
      });
    }
    return { groups, problems: rest };
  }
  return { groups, problems };
}

function analyze(
  cell: NotebookCell,
  annotation: KilnCellAnnotation | undefined,
  problems: CompileProblem[],
): AnalyzedCell | undefined {
  const ref = cellRefOf(cell.index, cell.source);
  const analysis = analyzeCell(cell.source);
  const first = analysis.syntaxErrors[0];
  if (first) {
    problems.push({
      code: "syntax-error",
      cell: ref,
      message: `syntax error at line ${first.line}, column ${first.column}: ${first.message}`,
      fix: "Fix the syntax (run the cell in JupyterLab to see the error in place), or mark the cell `// @kiln skip`.",
    });
    return undefined;
  }
  return { ref, source: cell.source, annotation, analysis };
}
