// The annotation form: kind, step name and `after`, checked as the user types. The same widget
// serves the cell toolbar's dialog and the Kiln sidebar.

import { KILN_CELL_KINDS } from "@kiln/kernel-lib/spec";
import { Widget } from "@lumino/widgets";
import { element, textWithCode } from "../widgets/elements";
import type { DraftKind } from "./annotation-draft";
import type { AfterChoice, AnnotationFormModel } from "./annotation-form-model";

type AnnotationFormOptions = {
  /** Called after a successful save (the dialog closes then). */
  onSaved?: () => void;
  /** Shows a Cancel button that calls this. */
  onCancel?: () => void;
};

const KIND_LABELS: Record<DraftKind, string> = {
  none: "not annotated",
  step: "step",
  params: "params",
  transform: "transform",
  skip: "skip",
};

/**
 * Renders an {@link AnnotationFormModel}. The fields are built once and updated in place, so the
 * text field keeps its focus and caret while the model changes under it.
 *
 * @example
 * ```ts
 * const form = new AnnotationForm(formModel, { onSaved: () => dialog.close() });
 * ```
 */
export class AnnotationForm extends Widget {
  readonly #model: AnnotationFormModel;
  readonly #form: HTMLFormElement;
  readonly #kind: HTMLSelectElement;
  readonly #stepFields: HTMLDivElement;
  readonly #step: HTMLInputElement;
  readonly #stepError: HTMLParagraphElement;
  readonly #afterList: HTMLDivElement;
  readonly #afterError: HTMLParagraphElement;
  readonly #save: HTMLButtonElement;
  #shownChoices = "";

  constructor(model: AnnotationFormModel, options: AnnotationFormOptions = {}) {
    super();
    this.#model = model;
    this.addClass("jp-KilnAnnotationForm");

    this.#kind = element("select", "jp-KilnAnnotationForm-kind");
    this.#kind.name = "kind";
    for (const kind of ["none", ...KILN_CELL_KINDS] as const) {
      const option = element("option", "", KIND_LABELS[kind]);
      option.value = kind;
      this.#kind.append(option);
    }
    this.#kind.addEventListener("change", () => model.setKind(this.#kind.value as DraftKind));

    this.#step = element("input", "jp-KilnAnnotationForm-step");
    this.#step.name = "step";
    this.#step.type = "text";
    this.#step.spellcheck = false;
    this.#step.autocomplete = "off";
    this.#step.placeholder = "train";
    this.#step.addEventListener("input", () => model.setStep(this.#step.value));
    this.#stepError = errorLine("step");

    this.#afterList = element("div", "jp-KilnAnnotationForm-afterChoices");
    this.#afterList.addEventListener("change", (event) => {
      const box = event.target as HTMLInputElement;
      model.setAfter(box.value, box.checked);
    });
    this.#afterError = errorLine("after");

    this.#stepFields = element(
      "div",
      "jp-KilnAnnotationForm-stepFields",
      field("Step name", this.#step),
      this.#stepError,
      element(
        "fieldset",
        "jp-KilnAnnotationForm-after",
        element("legend", "", "Runs after"),
        this.#afterList,
      ),
      this.#afterError,
    );

    this.#save = element(
      "button",
      "jp-KilnAnnotationForm-save jp-mod-styled jp-mod-accept",
      "Save",
    );
    this.#save.type = "submit";
    const buttons = element("div", "jp-KilnAnnotationForm-buttons", this.#save);
    if (options.onCancel) {
      const cancel = element("button", "jp-KilnAnnotationForm-cancel jp-mod-styled", "Cancel");
      cancel.type = "button";
      cancel.addEventListener("click", options.onCancel);
      buttons.prepend(cancel);
    }

    this.#form = element(
      "form",
      "jp-KilnAnnotationForm-fields",
      field("Kind", this.#kind),
      this.#stepFields,
      buttons,
    );
    // Enter in the name field saves, as the Save button does.
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (model.save()) options.onSaved?.();
    });
    this.node.append(this.#form);

    model.changed.connect(this.#update, this);
    this.#update();
  }

  /** Puts the caret in the first field, for a form that has just opened. */
  focusFirstField(): void {
    (this.#model.draft.kind === "step" ? this.#step : this.#kind).focus();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.#model.changed.disconnect(this.#update, this);
    super.dispose();
  }

  #update(): void {
    const { draft, check } = this.#model;
    this.#kind.value = draft.kind;
    this.#stepFields.hidden = draft.kind !== "step";
    if (this.#step.value !== draft.step) this.#step.value = draft.step;
    this.#showChoices(this.#model.afterChoices, draft.after);
    const errors = check.ok ? [] : check.errors;
    showError(
      this.#stepError,
      errors.filter((e) => e.field === "step").map((e) => e.message),
    );
    showError(
      this.#afterError,
      errors.filter((e) => e.field === "after").map((e) => e.message),
    );
    this.#step.setAttribute("aria-invalid", String(errors.some((e) => e.field === "step")));
    this.#save.disabled = !check.ok || this.#model.target === null;
  }

  #showChoices(choices: AfterChoice[], ticked: readonly string[]): void {
    const shown = JSON.stringify(choices);
    if (shown !== this.#shownChoices) {
      this.#shownChoices = shown;
      this.#afterList.replaceChildren(
        ...(choices.length === 0
          ? [element("p", "jp-KilnAnnotationForm-hint", "No other steps in this notebook yet.")]
          : choices.map(afterChoice)),
      );
    }
    for (const box of this.#afterList.querySelectorAll<HTMLInputElement>("input")) {
      box.checked = ticked.includes(box.value);
    }
  }
}

function afterChoice({ name, exists }: AfterChoice): HTMLLabelElement {
  const box = element("input", "");
  box.type = "checkbox";
  box.name = "after";
  box.value = name;
  const label = element("label", "jp-KilnAnnotationForm-afterChoice", box, name);
  if (!exists) {
    label.dataset.missing = "true";
    label.append(element("span", "jp-KilnAnnotationForm-missing", " (no such step)"));
  }
  return label;
}

function field(label: string, control: HTMLElement): HTMLLabelElement {
  return element(
    "label",
    "jp-KilnAnnotationForm-field",
    element("span", "jp-KilnAnnotationForm-label", label),
    control,
  );
}

function errorLine(field: string): HTMLParagraphElement {
  const line = element("p", "jp-KilnAnnotationForm-error");
  line.dataset.field = field;
  line.hidden = true;
  return line;
}

function showError(line: HTMLParagraphElement, messages: string[]): void {
  line.hidden = messages.length === 0;
  line.replaceChildren(...textWithCode(messages.join(" ")));
}
