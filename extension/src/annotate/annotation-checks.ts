// The annotation problems found without the server: each cell's annotation as the spec module
// reads it, plus the notebook-wide rules on step names (unique, `after` naming real steps). They
// show while the user types, and when the Kiln server cannot be reached.

import {
  duplicateStepProblem,
  unknownAfterProblem,
  type KilnCellAnnotation,
} from "@kiln/kernel-lib/spec";
import { readNotebookAnnotations, type NotebookCell } from "../models/notebook-annotations";

/** A problem as Kiln shows it: the compiler's code, what is wrong and what to do. */
export type KilnProblem = { code: string; message: string; fix: string };

/** A problem with the cell it concerns. */
export type CellProblem = KilnProblem & { cellIndex: number };

/**
 * The compiler's problem codes these checks cover. The server reports them too, but from the
 * content of a moment ago: the local reading wins.
 */
export const LOCALLY_CHECKED_CODES: ReadonlySet<string> = new Set([
  "invalid-annotation",
  "conflicting-annotations",
  "duplicate-step",
  "unknown-after",
]);

/**
 * Finds the annotation problems of a notebook's cells, in notebook order, with the same codes,
 * messages and fixes as the compiler.
 *
 * @example
 * ```ts
 * checkAnnotations([{ index: 0, cellType: "code", source: "// @kiln step=a after=b" }]);
 * // [{ code: "unknown-after", cellIndex: 0, message: "step `a` says `after=b`, but there is no step `b` …", fix: … }]
 * ```
 */
export function checkAnnotations(cells: readonly NotebookCell[]): CellProblem[] {
  const { annotated, problems } = readNotebookAnnotations(cells);
  const found: CellProblem[] = problems.map(({ code, cell, message, fix }) => ({
    code,
    cellIndex: cell.index,
    message,
    fix,
  }));
  const steps: { annotation: StepAnnotation; cellIndex: number }[] = [];
  for (const { cell, annotation } of annotated) {
    if (annotation.kind !== "step") continue;
    const first = steps.find((step) => step.annotation.step === annotation.step);
    if (first) {
      found.push({
        ...duplicateStepProblem(annotation.step, first.cellIndex),
        cellIndex: cell.index,
      });
    } else {
      steps.push({ annotation, cellIndex: cell.index });
    }
  }
  const names = new Set(steps.map((step) => step.annotation.step));
  for (const { annotation, cellIndex } of steps) {
    for (const target of annotation.after) {
      if (names.has(target)) continue;
      const known = [...names].filter((name) => name !== annotation.step);
      found.push({ ...unknownAfterProblem(annotation.step, target, known), cellIndex });
    }
  }
  return found.sort((a, b) => a.cellIndex - b.cellIndex);
}

type StepAnnotation = Extract<KilnCellAnnotation, { kind: "step" }>;
