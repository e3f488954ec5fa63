// The promote dialog's body: which model version, onto which endpoint, with which batching
// limits. Checked as the user types, with the server's rules, so "Promote" is only offered for
// a request the server will accept.

import { Widget } from "@lumino/widgets";
import type { RunModel } from "../api/endpoints-api";
import { element } from "../widgets/elements";
import { readBatchingFields } from "./batching-limits";
import { endpointNameFor, endpointNameProblem } from "./endpoint-name";
import type { PromotionChoice } from "./promotion-model";

/** JupyterLab's dialog disables its accept button while an element in its body has this class. */
const ERROR_CLASS = "jp-mod-error";

type PromoteFormOptions = {
  /** The versions to choose from (a run's models), and the one chosen at first. */
  models: readonly RunModel[];
  selected: RunModel;
};

/**
 * A form for JupyterLab's `Dialog`: `getValue()` is the promotion to make.
 *
 * @example
 * ```ts
 * const result = await showDialog({ title: "Promote", body: new PromoteForm({ models, selected }) });
 * if (result.button.accept && result.value) await promotion.promote(result.value);
 * ```
 */
export class PromoteForm extends Widget {
  readonly #models: readonly RunModel[];
  readonly #version: HTMLSelectElement;
  readonly #endpoint: HTMLInputElement;
  readonly #endpointProblem: HTMLParagraphElement;
  readonly #maxBatchSize: HTMLInputElement;
  readonly #maxWaitMs: HTMLInputElement;
  readonly #batchingProblem: HTMLParagraphElement;
  // The endpoint name follows the chosen model until the user types one.
  #endpointEdited = false;

  constructor({ models, selected }: PromoteFormOptions) {
    super();
    this.addClass("jp-KilnPromoteForm");
    this.#models = models;

    this.#version = element("select", "jp-KilnPromoteForm-version");
    this.#version.append(
      ...models.map((model, index) => {
        const option = element("option", "", labelOf(model));
        option.value = String(index);
        option.selected = model === selected;
        return option;
      }),
    );
    this.#version.addEventListener("change", () => {
      if (!this.#endpointEdited) this.#endpoint.value = endpointNameFor(this.#chosen().model);
      this.#check();
    });

    this.#endpoint = element("input", "jp-KilnPromoteForm-endpoint jp-mod-styled");
    this.#endpoint.type = "text";
    this.#endpoint.value = endpointNameFor(selected.model);
    this.#endpoint.spellcheck = false;
    this.#endpoint.addEventListener("input", () => {
      this.#endpointEdited = true;
      this.#check();
    });
    this.#endpointProblem = element("p", "jp-KilnPromoteForm-problem");

    this.#maxBatchSize = numberInput("jp-KilnPromoteForm-maxBatchSize", "256");
    this.#maxWaitMs = numberInput("jp-KilnPromoteForm-maxWaitMs", "2");
    for (const input of [this.#maxBatchSize, this.#maxWaitMs]) {
      input.addEventListener("input", () => this.#check());
    }
    this.#batchingProblem = element("p", "jp-KilnPromoteForm-problem");

    const batching = element(
      "details",
      "jp-KilnPromoteForm-batching",
      element("summary", "", "Batching limits (optional)"),
      field("Max batch size (rows)", this.#maxBatchSize),
      field("Max wait (ms)", this.#maxWaitMs),
      this.#batchingProblem,
    );
    this.node.append(
      field("Model version", this.#version),
      field("Endpoint name", this.#endpoint),
      this.#endpointProblem,
      batching,
      element(
        "p",
        "jp-KilnPromoteForm-note",
        "The version becomes the model's @champion in MLflow, and the endpoint is bound to the pipeline version that produced it: retraining re-runs that pipeline.",
      ),
    );
    this.#check();
  }

  /** The promotion the form describes; only called by the dialog when the form is valid. */
  getValue(): PromotionChoice {
    const { model, version } = this.#chosen();
    const batching = readBatchingFields(this.#maxBatchSize.value, this.#maxWaitMs.value);
    return {
      model,
      version,
      endpoint: this.#endpoint.value,
      ...(batching.ok && batching.batching ? { batching: batching.batching } : {}),
    };
  }

  /** Whether the server will accept the promotion as the form says it. */
  get isValid(): boolean {
    return this.node.querySelector(`.${ERROR_CLASS}`) === null;
  }

  #chosen(): RunModel {
    return this.#models[Number(this.#version.value)] ?? this.#models[0]!;
  }

  #check(): void {
    const nameProblem = endpointNameProblem(this.#endpoint.value);
    showProblem(this.#endpoint, this.#endpointProblem, nameProblem);
    const batching = readBatchingFields(this.#maxBatchSize.value, this.#maxWaitMs.value);
    const batchingProblem = batching.ok ? null : batching.problem;
    showProblem(this.#maxBatchSize, this.#batchingProblem, batchingProblem);
    // An invalid batching limit in a closed <details> would disable "Promote" without a word.
    if (batchingProblem) this.node.querySelector("details")?.setAttribute("open", "");
  }
}

function labelOf(model: RunModel): string {
  const aliases = model.aliases.map((alias) => ` @${alias}`).join("");
  return `${model.model} v${model.version}${model.step ? ` (step ${model.step})` : ""}${aliases}`;
}

function numberInput(className: string, placeholder: string): HTMLInputElement {
  const input = element("input", `${className} jp-mod-styled`);
  input.type = "text";
  input.inputMode = "decimal";
  input.placeholder = placeholder;
  return input;
}

function field(label: string, control: HTMLElement): HTMLLabelElement {
  return element("label", "jp-KilnPromoteForm-field", element("span", "", label), control);
}

function showProblem(
  input: HTMLElement,
  message: HTMLParagraphElement,
  problem: string | null,
): void {
  input.classList.toggle(ERROR_CLASS, problem !== null);
  message.textContent = problem ?? "";
  message.hidden = problem === null;
}
