// The Kiln sidebar's annotation section: the form for the active cell, each step's inferred
// inputs and outputs, the problems that concern no single cell, and (once) why the server's
// checks are missing when it cannot be asked.

import { cellRefOf } from "@kiln/kernel-lib/spec";
import { PanelLayout, Widget } from "@lumino/widgets";
import { element, textWithCode } from "../widgets/elements";
import type { KilnProblem } from "./annotation-checks";
import { AnnotationForm } from "./AnnotationForm";
import type { AnnotationFormModel } from "./annotation-form-model";
import {
  dataflowLine,
  type CellNote,
  type NotebookNotes,
  type ServerCheck,
} from "./notebook-notes";
import type { NotebookNotesModel } from "./notebook-notes-model";

type AnnotationSectionOptions = {
  /** The form model that follows the active cell (`followActiveCell`). */
  form: AnnotationFormModel;
  notes: NotebookNotesModel;
};

/**
 * The annotation section of the Kiln panel.
 *
 * @example
 * ```ts
 * panel.addWidget(new AnnotationSection({ form: sidebarFormModel, notes: notesModel }));
 * ```
 */
export class AnnotationSection extends Widget {
  readonly #form: AnnotationFormModel;
  readonly #notes: NotebookNotesModel;
  readonly #server = element("div", "jp-KilnAnnotationSection-server");
  readonly #cell = element("p", "jp-KilnAnnotationSection-cell");
  readonly #formView: AnnotationForm;
  readonly #dataflow = element("ul", "jp-KilnAnnotationSection-dataflow");
  readonly #problems = element("ul", "jp-KilnAnnotationSection-problems");

  constructor({ form, notes }: AnnotationSectionOptions) {
    super();
    this.#form = form;
    this.#notes = notes;
    this.addClass("jp-KilnAnnotationSection");
    this.#formView = new AnnotationForm(form);
    const layout = new PanelLayout();
    this.layout = layout;
    layout.addWidget(
      new Widget({
        node: element(
          "div",
          "",
          this.#server,
          element("h3", "jp-KilnAnnotationSection-title", "Annotate the active cell"),
          this.#cell,
        ),
      }),
    );
    layout.addWidget(this.#formView);
    layout.addWidget(
      new Widget({
        node: element(
          "div",
          "",
          this.#problems,
          element("h3", "jp-KilnAnnotationSection-title", "Data flow Kiln inferred"),
          this.#dataflow,
        ),
      }),
    );
    form.changed.connect(this.#renderTarget, this);
    notes.changed.connect(this.#renderNotes, this);
    this.#renderTarget();
    this.#renderNotes();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.#form.changed.disconnect(this.#renderTarget, this);
    this.#notes.changed.disconnect(this.#renderNotes, this);
    super.dispose();
  }

  #renderTarget(): void {
    const target = this.#form.target;
    const cell = target?.cells.find((c) => c.index === target.index);
    this.#formView.setHidden(!cell);
    if (!target || !cell) {
      this.#cell.replaceChildren(
        "Select a code cell to make it a step, params, transform or skip cell.",
      );
      return;
    }
    const firstLine = cellRefOf(cell.index, cell.source).firstLine;
    this.#cell.replaceChildren(
      `Cell ${target.index}`,
      ...(firstLine ? [": ", element("code", "", firstLine)] : []),
    );
  }

  #renderNotes(): void {
    const notes = this.#notes.notes;
    showServerCheck(this.#server, notes?.server);
    const problems = notes?.notebookProblems ?? [];
    this.#problems.hidden = problems.length === 0;
    this.#problems.replaceChildren(...problems.map(problemItem));
    const steps = (notes?.cells ?? []).filter((note) => note.dataflow);
    this.#dataflow.replaceChildren(
      ...(steps.length > 0
        ? steps.map(dataflowItem)
        : [element("li", "jp-KilnAnnotationSection-hint", dataflowHint(notes))]),
    );
  }
}

// Said once here rather than on every cell: the local checks go on without the server.
function showServerCheck(node: HTMLElement, server: ServerCheck | undefined): void {
  node.hidden = server?.state !== "failed";
  if (server?.state !== "failed") {
    node.replaceChildren();
    return;
  }
  node.replaceChildren(
    element(
      "p",
      "jp-KilnAnnotationSection-serverProblem",
      ...textWithCode(
        `Kiln could not analyze this notebook: ${server.message.replace(/\.$/, "")}.`,
      ),
    ),
    element("p", "jp-KilnAnnotationSection-serverFix", ...textWithCode(server.fix)),
    element(
      "p",
      "jp-KilnAnnotationSection-serverHint",
      "Annotation checks still run here; inferred inputs and outputs need the server.",
    ),
  );
}

function dataflowItem(note: CellNote): HTMLLIElement {
  const flow = note.dataflow;
  const item = element(
    "li",
    "jp-KilnAnnotationSection-step",
    element("span", "jp-KilnAnnotationSection-stepName", flow?.step ?? ""),
    element("span", "jp-KilnAnnotationSection-stepDataflow", flow ? dataflowLine(flow) : ""),
  );
  item.dataset.cellIndex = String(note.cellIndex);
  return item;
}

function dataflowHint(notes: NotebookNotes | null): string {
  if (notes?.server.state === "failed") return "Needs the Kiln server.";
  if (notes?.server.state !== "checked") return "Asking the Kiln server…";
  const problems =
    notes.notebookProblems.length > 0 || notes.cells.some((note) => note.problems.length > 0);
  return problems ? "Shown once the notebook's problems are fixed." : "No steps yet.";
}

function problemItem(problem: KilnProblem): HTMLLIElement {
  const item = element(
    "li",
    "jp-KilnAnnotationSection-problem",
    element("p", "jp-KilnAnnotationSection-problemMessage", ...textWithCode(problem.message)),
    element("p", "jp-KilnAnnotationSection-problemFix", ...textWithCode(problem.fix)),
  );
  item.dataset.code = problem.code;
  return item;
}
