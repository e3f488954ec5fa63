// What Kiln says about each cell of the notebook being edited: a step's inferred inputs and
// outputs, and the problems found in the cell; plus what concerns no cell, and whether the
// server could be asked. Local checks and the server's analysis are merged here.

import { cellRefOf, type CellRef, type StepSpec } from "@kiln/kernel-lib/spec";
import type { NotebookAnalysis } from "../api/pipelines-api";
import { readNotebookAnnotations, type NotebookCell } from "../models/notebook-annotations";
import type { AnalysisState } from "../models/notebook-analysis-model";
import { checkAnnotations, LOCALLY_CHECKED_CODES, type KilnProblem } from "./annotation-checks";

/** The values a step receives (with the step each comes from) and those it passes on. */
export type StepDataflow = Pick<StepSpec, "inputs" | "outputs"> & { step: string };

/** What Kiln says about one cell. */
export type CellNote = {
  /** Position of the cell in the notebook as it is now, counting every cell from 0. */
  cellIndex: number;
  /** Present on a step's annotated cell once the server has analyzed the notebook. */
  dataflow?: StepDataflow;
  problems: KilnProblem[];
};

/** Whether the server's analysis is part of the notes. */
export type ServerCheck =
  { state: "checking" } | { state: "checked" } | { state: "failed"; message: string; fix: string };

/** Everything shown on and about the cells of one notebook. */
export type NotebookNotes = {
  path: string;
  /** Only cells with something to say, in notebook order. */
  cells: CellNote[];
  /** Problems with the notebook as a whole (the server's, e.g. a missing lockfile). */
  notebookProblems: KilnProblem[];
  server: ServerCheck;
};

/**
 * Merges the local annotation checks of `cells` with the server's analysis (when it is for the
 * same notebook). The server analyzed the content of a moment ago: a result is shown on a cell
 * only while that cell still starts with the same line, so nothing lands on the wrong cell after
 * cells move; the next analysis brings it back.
 *
 * @example
 * ```ts
 * const notes = notebookNotesOf("a.ipynb", cellsOf(model), analysisModel.state);
 * notes.cells.find((note) => note.cellIndex === 2)?.dataflow; // { step: "train", inputs: […], outputs: […] }
 * ```
 */
export function notebookNotesOf(
  path: string,
  cells: readonly NotebookCell[],
  state: AnalysisState,
): NotebookNotes {
  const byCell = new Map<number, CellNote>();
  const noteOf = (cellIndex: number): CellNote => {
    const note = byCell.get(cellIndex) ?? { cellIndex, problems: [] };
    byCell.set(cellIndex, note);
    return note;
  };
  for (const { cellIndex, ...problem } of checkAnnotations(cells))
    noteOf(cellIndex).problems.push(problem);

  const notebookProblems: KilnProblem[] = [];
  const analysis = analysisOf(path, state);
  const { annotated, problems } = readNotebookAnnotations(cells);
  const annotatedAny = annotated.length > 0 || problems.length > 0;
  for (const { code, cell, message, fix } of analysis?.problems ?? []) {
    if (LOCALLY_CHECKED_CODES.has(code)) continue;
    // A notebook nobody annotated is not a broken pipeline; the panel already says how to start.
    if (code === "no-steps" && !annotatedAny) continue;
    if (cell === undefined) {
      notebookProblems.push({ code, message, fix });
      continue;
    }
    const index = locateCell(cell, cells);
    if (index !== undefined) noteOf(index).problems.push({ code, message, fix });
  }
  for (const step of analysis?.spec?.steps ?? []) {
    const first = step.cells[0];
    const index = first && locateCell(first, cells);
    if (index === undefined) continue;
    noteOf(index).dataflow = { step: step.name, inputs: step.inputs, outputs: step.outputs };
  }
  return {
    path,
    cells: [...byCell.values()].sort((a, b) => a.cellIndex - b.cellIndex),
    notebookProblems,
    server: serverCheckOf(path, state),
  };
}

/**
 * The compact line a step cell shows: what it reads from which step, and what it passes on.
 *
 * @example
 * ```ts
 * dataflowLine({ step: "train", inputs: [{ name: "xs", from: "load" }], outputs: ["model"] });
 * // "inputs: xs (from load) · outputs: model"
 * ```
 */
export function dataflowLine({ inputs, outputs }: StepDataflow): string {
  const read = inputs.map(({ name, from }) => `${name} (from ${from})`).join(", ");
  return `inputs: ${read || "none"} · outputs: ${outputs.join(", ") || "none"}`;
}

/**
 * Finds the cell a server result refers to in the notebook as it is now: the same position and
 * first line, or else the one code cell with that first line.
 */
export function locateCell(ref: CellRef, cells: readonly NotebookCell[]): number | undefined {
  const firstLineOf = (cell: NotebookCell) => cellRefOf(cell.index, cell.source).firstLine;
  const atIndex = cells.find((cell) => cell.index === ref.index);
  if (atIndex && firstLineOf(atIndex) === ref.firstLine) return atIndex.index;
  const same = cells.filter(
    (cell) => cell.cellType === "code" && firstLineOf(cell) === ref.firstLine,
  );
  return same.length === 1 ? same[0]?.index : undefined;
}

// While a new analysis is on its way, the previous one stands (the cells it names still match).
function analysisOf(path: string, state: AnalysisState): NotebookAnalysis | null {
  if (state.status === "analyzed" && state.path === path) return state.analysis;
  if (state.status === "analyzing" && state.path === path) return state.previous;
  return null;
}

function serverCheckOf(path: string, state: AnalysisState): ServerCheck {
  if (state.status === "failed" && state.path === path) {
    return { state: "failed", message: state.error.message, fix: state.error.fix };
  }
  if (state.status === "analyzed" && state.path === path) return { state: "checked" };
  return { state: "checking" };
}
