// The lines Kiln adds under a code cell's input: the step's inferred inputs and outputs, and
// the problems found in the cell with their fixes.

import { Widget } from "@lumino/widgets";
import { element, textWithCode } from "../widgets/elements";
import type { KilnProblem } from "./annotation-checks";
import { dataflowLine, type CellNote } from "./notebook-notes";

/**
 * Shows a {@link CellNote}; hidden while the cell has nothing to show.
 *
 * @example
 * ```ts
 * const view = new CellNoteView();
 * view.showNote(2, notesModel.noteOf(2));
 * ```
 */
export class CellNoteView extends Widget {
  #shown = "";

  constructor() {
    super();
    this.addClass("jp-KilnCellNotes");
    this.node.hidden = true;
  }

  /** Shows what Kiln says about the cell at `cellIndex` (nothing: hides). */
  showNote(cellIndex: number, note: CellNote | undefined): void {
    const shown = JSON.stringify([cellIndex, note]);
    if (shown === this.#shown) return;
    this.#shown = shown;
    this.node.dataset.cellIndex = String(cellIndex);
    const parts: Node[] = [];
    if (note?.dataflow) {
      const line = element("p", "jp-KilnCellNotes-dataflow", dataflowLine(note.dataflow));
      line.title = `Step ${note.dataflow.step}, as Kiln inferred it from the code`;
      parts.push(line);
    }
    if (note && note.problems.length > 0) {
      parts.push(element("ul", "jp-KilnCellNotes-problems", ...note.problems.map(problemItem)));
    }
    this.node.hidden = parts.length === 0;
    this.node.replaceChildren(...parts);
  }
}

function problemItem(problem: KilnProblem): HTMLLIElement {
  const item = element(
    "li",
    "jp-KilnCellNotes-problem",
    element("p", "jp-KilnCellNotes-problemMessage", ...textWithCode(upperFirst(problem.message))),
    element("p", "jp-KilnCellNotes-problemFix", ...textWithCode(problem.fix)),
  );
  item.dataset.code = problem.code;
  return item;
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
