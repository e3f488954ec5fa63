// @vitest-environment happy-dom
import { Widget } from "@lumino/widgets";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { NotebookCell } from "../models/notebook-annotations";
import { AnnotationForm } from "./AnnotationForm";
import { AnnotationFormModel, type FormTarget } from "./annotation-form-model";
import type { WritableCell } from "./cell-annotation-edit";

const code = (index: number, source: string): NotebookCell => ({ index, cellType: "code", source });

function formFor(cells: NotebookCell[], index: number, options = {}) {
  const written: unknown[] = [];
  const cell: WritableCell = {
    sharedModel: {
      getSource: () => String(cells[index]?.source),
      setSource: (source) => written.push({ source }),
      transact: (change) => change(),
    },
    getMetadata: () => undefined,
    setMetadata: (_key, kiln) => written.push({ kiln }),
    deleteMetadata: () => written.push({ kiln: undefined }),
  };
  const target: FormTarget = { id: "c", index, cells, cell };
  const model = new AnnotationFormModel();
  model.setTarget(target);
  const form = new AnnotationForm(model, options);
  Widget.attach(form, document.body);
  const $ = <T extends Element>(selector: string) => form.node.querySelector<T>(selector)!;
  return { model, form, written, $ };
}

function type(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

function tick(box: HTMLInputElement): void {
  box.checked = !box.checked;
  box.dispatchEvent(new Event("change", { bubbles: true }));
}

describe("AnnotationForm", () => {
  afterEach(() => document.body.replaceChildren());

  it("offers every kind, and the step fields only for a step", () => {
    const { $ } = formFor([code(0, "fit();")], 0);
    const kind = $<HTMLSelectElement>("select[name=kind]");
    expect([...kind.options].map((o) => [o.value, o.textContent])).toEqual([
      ["none", "not annotated"],
      ["step", "step"],
      ["params", "params"],
      ["transform", "transform"],
      ["skip", "skip"],
    ]);
    expect(kind.value).toBe("none");
    expect($<HTMLElement>(".jp-KilnAnnotationForm-stepFields").hidden).toBe(true);
    choose(kind, "step");
    expect($<HTMLElement>(".jp-KilnAnnotationForm-stepFields").hidden).toBe(false);
  });

  it("checks the step name as it is typed, and saves only a valid one", () => {
    const { $, written } = formFor([code(0, "// @kiln step=load"), code(1, "fit();")], 1);
    choose($("select[name=kind]"), "step");
    const name = $<HTMLInputElement>("input[name=step]");
    const error = $<HTMLElement>('.jp-KilnAnnotationForm-error[data-field="step"]');
    const save = $<HTMLButtonElement>(".jp-KilnAnnotationForm-save");
    type(name, "Train");
    expect(error.hidden).toBe(false);
    expect(error.textContent).toMatch(
      /^Invalid step name Train \(names start with a lower-case letter/,
    );
    expect(name.getAttribute("aria-invalid")).toBe("true");
    expect(save.disabled).toBe(true);
    type(name, "load");
    expect(error.textContent).toBe(
      "Step name load is already used by cell 0; step names must be unique.",
    );
    type(name, "train");
    expect(error.hidden).toBe(true);
    expect(save.disabled).toBe(false);
    $<HTMLFormElement>("form").requestSubmit();
    expect(written).toEqual([{ kiln: { kind: "step", step: "train" } }]);
  });

  it("lists the other steps for `after` and saves the ticked ones", () => {
    const cells = [
      code(0, "// @kiln step=load"),
      code(1, "// @kiln step=clean"),
      code(2, "fit();"),
    ];
    const { $, written, model } = formFor(cells, 2);
    choose($("select[name=kind]"), "step");
    type($("input[name=step]"), "train");
    const boxes = [...document.querySelectorAll<HTMLInputElement>("input[name=after]")];
    expect(boxes.map((box) => box.value)).toEqual(["load", "clean"]);
    tick(boxes[0]!);
    expect(model.draft.after).toEqual(["load"]);
    $<HTMLButtonElement>(".jp-KilnAnnotationForm-save").click();
    expect(written).toEqual([{ kiln: { kind: "step", step: "train", after: ["load"] } }]);
  });

  it("says when there is no other step to run after", () => {
    const { $ } = formFor([code(0, "// @kiln step=only")], 0);
    expect($(".jp-KilnAnnotationForm-after").textContent).toBe(
      "Runs afterNo other steps in this notebook yet.",
    );
  });

  it("keeps the name field's text and focus while the model changes around it", () => {
    const { $, model } = formFor([code(0, "fit();")], 0);
    choose($("select[name=kind]"), "step");
    const name = $<HTMLInputElement>("input[name=step]");
    name.focus();
    type(name, "tr");
    model.setAfter("x", false);
    expect(document.activeElement).toBe(name);
    expect($<HTMLInputElement>("input[name=step]")).toBe(name);
  });

  it("calls back on save and on cancel, for the dialog", () => {
    const onSaved = vi.fn();
    const onCancel = vi.fn();
    const { $ } = formFor([code(0, "fit();")], 0, { onSaved, onCancel });
    choose($("select[name=kind]"), "skip");
    $<HTMLButtonElement>(".jp-KilnAnnotationForm-save").click();
    $<HTMLButtonElement>(".jp-KilnAnnotationForm-cancel").click();
    expect(onSaved).toHaveBeenCalledOnce();
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it("shows names as text, never as markup", () => {
    const { $ } = formFor([code(0, "fit();")], 0);
    choose($("select[name=kind]"), "step");
    type($("input[name=step]"), "<img src=x onerror=alert(1)>");
    expect(document.querySelector("img")).toBeNull();
    expect($(".jp-KilnAnnotationForm-error").textContent).toContain("<img src=x onerror=alert(1)>");
  });
});
