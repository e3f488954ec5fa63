// The editor the cell toolbar's Kiln button opens: the annotation form for that one cell, in a
// modal <dialog> on the page (outside the notebook, so its keyboard shortcuts stay out of it).

import { cellRefOf } from "@kiln/kernel-lib/spec";
import { PanelLayout, Widget } from "@lumino/widgets";
import { element } from "../widgets/elements";
import { AnnotationForm } from "./AnnotationForm";
import { AnnotationFormModel, type FormTarget } from "./annotation-form-model";

/**
 * A modal dialog with the annotation form of one cell; it closes on Save, Cancel or Escape and
 * disposes itself.
 *
 * @example
 * ```ts
 * AnnotationDialog.open({ id: cell.model.id, index, cells: cellsOf(notebook), cell: cell.model });
 * ```
 */
export class AnnotationDialog extends Widget {
  /** Opens the dialog for `target` on top of the page. */
  static open(target: FormTarget): AnnotationDialog {
    const dialog = new AnnotationDialog(target);
    Widget.attach(dialog, document.body);
    (dialog.node as HTMLDialogElement).showModal();
    dialog.#form.focusFirstField();
    return dialog;
  }

  readonly model = new AnnotationFormModel();
  readonly #form: AnnotationForm;
  readonly #onClose = () => this.dispose();

  private constructor(target: FormTarget) {
    super({ node: document.createElement("dialog") });
    this.addClass("jp-KilnAnnotationDialog");
    this.model.setTarget(target);
    const cell = target.cells.find((c) => c.index === target.index);
    const heading = element(
      "header",
      "jp-KilnAnnotationDialog-header",
      element("h2", "jp-KilnAnnotationDialog-title", `Annotate cell ${target.index} for Kiln`),
    );
    const firstLine = cell ? cellRefOf(cell.index, cell.source).firstLine : "";
    if (firstLine) heading.append(element("code", "jp-KilnAnnotationDialog-cell", firstLine));
    this.#form = new AnnotationForm(this.model, {
      onSaved: this.#onClose,
      onCancel: this.#onClose,
    });
    const layout = new PanelLayout();
    layout.addWidget(new Widget({ node: heading }));
    layout.addWidget(this.#form);
    this.layout = layout;
    // Escape closes a modal <dialog> natively; the widget goes with it.
    this.node.addEventListener("close", this.#onClose);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    const node = this.node as HTMLDialogElement;
    node.removeEventListener("close", this.#onClose);
    if (node.open) node.close();
    if (this.isAttached) Widget.detach(this);
    super.dispose();
    this.model.dispose();
  }
}
