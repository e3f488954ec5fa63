// The run's parameter fields, one per param of the notebook's params cell, showing the defaults.
// What the user typed is kept while the notebook is edited, as long as the param is still there
// with the same type.

import type { JsonValue, ParamSpec } from "@kiln/kernel-lib/spec";
import { Widget } from "@lumino/widgets";
import { element } from "../widgets/elements";
import { paramInputOf, paramOverrides, type ParamInput } from "./param-values";

/**
 * A form of the pipeline's params; {@link read} checks the fields before a run.
 *
 * @example
 * ```ts
 * const form = new ParamForm();
 * form.setParams(spec.params);
 * const overrides = form.read(); // null when a field does not read as its type
 * ```
 */
export class ParamForm extends Widget {
  #params: readonly ParamSpec[] = [];
  readonly #fields = new Map<string, { param: ParamSpec; input: HTMLInputElement }>();

  constructor() {
    super();
    this.addClass("jp-KilnParamForm");
    this.#render();
  }

  /** The params to show; fields of params that did not change keep what was typed in them. */
  setParams(params: readonly ParamSpec[]): void {
    const same =
      params.length === this.#params.length &&
      params.every((p, i) => JSON.stringify(p) === JSON.stringify(this.#params[i]));
    if (same) return;
    this.#params = params;
    this.#render();
  }

  /**
   * The params that differ from their defaults, read as their types; null, with each problem
   * shown by its field, when a field does not read as its type.
   */
  read(): Record<string, JsonValue> | null {
    const inputs: Record<string, ParamInput> = {};
    for (const [name, { param, input }] of this.#fields) {
      inputs[name] = param.type === "boolean" ? input.checked : input.value;
    }
    const { overrides, problems } = paramOverrides(this.#params, inputs);
    for (const [name, { input }] of this.#fields) {
      const problem = problems[name];
      const message = input.parentElement?.querySelector(".jp-KilnParamForm-problem");
      if (message) message.textContent = problem ?? "";
      input.setAttribute("aria-invalid", String(problem !== undefined));
    }
    return Object.keys(problems).length > 0 ? null : overrides;
  }

  #render(): void {
    const kept = new Map(this.#fields);
    this.#fields.clear();
    if (this.#params.length === 0) {
      this.node.replaceChildren();
      return;
    }
    const rows = this.#params.map((param) => {
      const previous = kept.get(param.name);
      const input =
        previous && previous.param.type === param.type ? previous.input : inputFor(param);
      // A default that changed in the notebook shows the new default unless the user typed.
      if (previous && previous.input === input && !input.dataset.edited) {
        setInput(input, paramInputOf(param));
      }
      this.#fields.set(param.name, { param, input });
      return element(
        "label",
        "jp-KilnParamForm-field",
        element("span", "jp-KilnParamForm-name", param.name),
        element("span", "jp-KilnParamForm-type", param.type),
        input,
        element("span", "jp-KilnParamForm-problem"),
      );
    });
    this.node.replaceChildren(
      element("p", "jp-KilnParamForm-title", "Parameters (defaults from the params cell)"),
      ...rows,
    );
  }
}

function inputFor(param: ParamSpec): HTMLInputElement {
  const input = element("input", "jp-KilnParamForm-input jp-mod-styled");
  input.name = param.name;
  input.type = param.type === "boolean" ? "checkbox" : "text";
  input.spellcheck = false;
  setInput(input, paramInputOf(param));
  input.addEventListener("input", () => (input.dataset.edited = "true"));
  input.addEventListener("change", () => (input.dataset.edited = "true"));
  return input;
}

function setInput(input: HTMLInputElement, value: ParamInput): void {
  if (typeof value === "boolean") input.checked = value;
  else input.value = value;
}
