// Which cells of a notebook are annotated, and which annotations are wrong: the panel's view of
// a notebook, read with the same parser the compiler uses.

import {
  cellRefOf,
  resolveCellAnnotation,
  type AnnotatableCell,
  type AnnotationProblem,
  type CellRef,
  type KilnCellAnnotation,
} from "@kiln/kernel-lib/spec";

/** A notebook cell as the panel reads it from JupyterLab's notebook model. */
export type NotebookCell = AnnotatableCell & { cellType: "code" | "markdown" | "raw" };

/** One annotated code cell: where it is and what it says. */
export type AnnotatedCell = { cell: CellRef; annotation: KilnCellAnnotation };

/** The annotated cells of a notebook in order, and the problems of the cells that are not. */
export type NotebookAnnotations = {
  annotated: AnnotatedCell[];
  problems: AnnotationProblem[];
};

/**
 * Reads every code cell's annotation (first-line `// @kiln` comment or `kiln` metadata), as the
 * compiler does: markdown and raw cells are never annotations.
 *
 * @example
 * ```ts
 * readNotebookAnnotations([
 *   { index: 0, cellType: "code", source: "// @kiln step=train\nfit();" },
 * ]);
 * // { annotated: [{ cell: { index: 0, firstLine: "// @kiln step=train" },
 * //                 annotation: { kind: "step", step: "train", after: [], cache: true } }],
 * //   problems: [] }
 * ```
 */
export function readNotebookAnnotations(cells: readonly NotebookCell[]): NotebookAnnotations {
  const annotations: NotebookAnnotations = { annotated: [], problems: [] };
  for (const cell of cells) {
    if (cell.cellType !== "code") continue;
    const resolved = resolveCellAnnotation(cell);
    if (!resolved.ok) {
      annotations.problems.push(resolved.problem);
    } else if (resolved.annotation) {
      annotations.annotated.push({
        cell: cellRefOf(cell.index, cell.source),
        annotation: resolved.annotation,
      });
    }
  }
  return annotations;
}

/**
 * Whether two readings show the same thing, so the panel redraws only when one changed (the
 * notebook reports every keystroke).
 *
 * @example
 * ```ts
 * sameAnnotations(readNotebookAnnotations(cells), readNotebookAnnotations(cells)); // true
 * ```
 */
export function sameAnnotations(a: NotebookAnnotations, b: NotebookAnnotations): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
