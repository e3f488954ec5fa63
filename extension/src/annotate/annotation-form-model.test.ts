import { describe, expect, it } from "vitest";
import type { NotebookCell } from "../models/notebook-annotations";
import { AnnotationFormModel, storedAnnotationOf, type FormTarget } from "./annotation-form-model";
import type { WritableCell } from "./cell-annotation-edit";

const code = (index: number, source: string, kiln?: unknown): NotebookCell => ({
  index,
  cellType: "code",
  source,
  ...(kiln === undefined ? {} : { metadata: { kiln } }),
});

/** A notebook of cells in memory; `targetOf(i)` is what the tracker hands the form for cell i. */
function fakeNotebook(cells: NotebookCell[]) {
  const writable = (index: number): WritableCell => ({
    sharedModel: {
      getSource: () => String(cells[index]?.source),
      setSource: (source) => {
        cells[index] = { ...cells[index]!, source };
      },
      transact: (change) => change(),
    },
    getMetadata: (key) => cells[index]?.metadata?.[key],
    setMetadata: (key, value) => {
      cells[index] = { ...cells[index]!, metadata: { ...cells[index]?.metadata, [key]: value } };
    },
    deleteMetadata: () => {
      cells[index] = { ...cells[index]!, metadata: {} };
    },
  });
  return {
    cells,
    targetOf: (index: number): FormTarget => ({
      id: `cell-${index}`,
      index,
      cells: [...cells],
      cell: writable(index),
    }),
  };
}

describe("AnnotationFormModel", () => {
  it("starts from what the cell says, offering the other steps for `after`", () => {
    const notebook = fakeNotebook([
      code(0, "// @kiln step=load\nconst xs = [1];"),
      code(1, "// @kiln step=train after=load\nfit(xs);"),
      code(2, "// @kiln step=evaluate\nscore();"),
    ]);
    const form = new AnnotationFormModel();
    form.setTarget(notebook.targetOf(1));
    expect(form.draft).toEqual({ kind: "step", step: "train", after: ["load"], cache: true });
    expect(form.afterChoices).toEqual([
      { name: "load", exists: true },
      { name: "evaluate", exists: true },
    ]);
  });

  it("marks a plain cell as a step with after, writing the metadata the compiler reads", () => {
    const notebook = fakeNotebook([
      code(0, "// @kiln step=load\nconst xs = [1];"),
      code(1, "fit(xs);"),
    ]);
    const form = new AnnotationFormModel();
    form.setTarget(notebook.targetOf(1));
    expect(form.draft.kind).toBe("none");
    form.setKind("step");
    form.setStep("train");
    form.setAfter("load", true);
    expect(form.save()).toBe(true);
    expect(notebook.cells[1]).toMatchObject({
      source: "fit(xs);",
      metadata: { kiln: { kind: "step", step: "train", after: ["load"] } },
    });
  });

  it("rewrites the cell's `// @kiln` comment with the metadata, and removes both to un-annotate", () => {
    const notebook = fakeNotebook([
      code(0, "// @kiln step=load"),
      code(1, "// @kiln step=fit\nfit();"),
    ]);
    const form = new AnnotationFormModel();
    form.setTarget(notebook.targetOf(1));
    form.setStep("train");
    form.save();
    expect(notebook.cells[1]).toMatchObject({
      source: "// @kiln step=train\nfit();",
      metadata: { kiln: { kind: "step", step: "train" } },
    });
    form.setKind("none");
    form.save();
    expect(notebook.cells[1]).toEqual({
      index: 1,
      cellType: "code",
      source: "fit();",
      metadata: {},
    });
  });

  it("refuses to save a draft with errors, and says what they are", () => {
    const notebook = fakeNotebook([code(0, "// @kiln step=load"), code(1, "fit();")]);
    const form = new AnnotationFormModel();
    form.setTarget(notebook.targetOf(1));
    form.setKind("step");
    form.setStep("load");
    expect(form.check).toMatchObject({ ok: false, errors: [{ field: "step" }] });
    expect(form.save()).toBe(false);
    expect(notebook.cells[1]?.metadata).toBeUndefined();
  });

  it("keeps the draft while the same cell's code is edited, and resets it when its annotation changes", () => {
    const notebook = fakeNotebook([code(0, "// @kiln step=load"), code(1, "fit();")]);
    const form = new AnnotationFormModel();
    form.setTarget(notebook.targetOf(1));
    form.setKind("step");
    form.setStep("tra");
    notebook.cells[1] = code(1, "fit(); // typing");
    form.setTarget(notebook.targetOf(1));
    expect(form.draft).toMatchObject({ kind: "step", step: "tra" });
    notebook.cells[1] = code(1, "// @kiln skip\nfit();");
    form.setTarget(notebook.targetOf(1));
    expect(form.draft.kind).toBe("skip");
  });

  it("starts afresh on another cell, and has nothing to save without one", () => {
    const notebook = fakeNotebook([code(0, "// @kiln params"), code(1, "fit();")]);
    const form = new AnnotationFormModel();
    form.setTarget(notebook.targetOf(1));
    form.setKind("skip");
    form.setTarget(notebook.targetOf(0));
    expect(form.draft.kind).toBe("params");
    form.setTarget(null);
    expect(form.target).toBeNull();
    expect(form.save()).toBe(false);
  });

  it("keeps an `after` name that no step has as a choice, so it can be unticked", () => {
    const notebook = fakeNotebook([code(0, "// @kiln step=train after=gone")]);
    const form = new AnnotationFormModel();
    form.setTarget(notebook.targetOf(0));
    expect(form.afterChoices).toEqual([{ name: "gone", exists: false }]);
    expect(form.check.ok).toBe(false);
    form.setAfter("gone", false);
    expect(form.check.ok).toBe(true);
  });

  it("reverts the draft to what the cell says", () => {
    const notebook = fakeNotebook([code(0, "// @kiln transform\nfunction f() {}")]);
    const form = new AnnotationFormModel();
    form.setTarget(notebook.targetOf(0));
    form.setKind("skip");
    form.revert();
    expect(form.draft.kind).toBe("transform");
  });
});

describe("storedAnnotationOf", () => {
  it("starts a conflicting cell from its comment, what the user sees", () => {
    const cells = [code(0, "// @kiln step=fit", { kind: "step", step: "train" })];
    expect(storedAnnotationOf({ index: 0, cells })).toEqual({
      kind: "step",
      step: "fit",
      after: [],
      cache: true,
    });
  });

  it("falls back to valid metadata when the comment is invalid, and to nothing otherwise", () => {
    expect(
      storedAnnotationOf({ index: 0, cells: [code(0, "// @kiln step=F", { kind: "skip" })] }),
    ).toEqual({
      kind: "skip",
    });
    expect(
      storedAnnotationOf({ index: 0, cells: [code(0, "// @kiln nope", { kind: 3 })] }),
    ).toBeUndefined();
  });
});
