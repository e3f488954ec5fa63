// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import type { NotebookCell } from "../models/notebook-annotations";
import { AnnotationDialog } from "./AnnotationDialog";
import type { FormTarget } from "./annotation-form-model";

function target(source: string): FormTarget & { kiln: unknown[] } {
  const kiln: unknown[] = [];
  const cells: NotebookCell[] = [{ index: 0, cellType: "code", source }];
  return {
    kiln,
    id: "c0",
    index: 0,
    cells,
    cell: {
      sharedModel: { getSource: () => source, setSource: () => undefined, transact: (f) => f() },
      getMetadata: () => undefined,
      setMetadata: (_key, value) => kiln.push(value),
      deleteMetadata: () => undefined,
    },
  };
}

describe("AnnotationDialog", () => {
  afterEach(() => document.body.replaceChildren());

  it("opens a modal dialog on the page with the form for the cell, naming it", () => {
    const dialog = AnnotationDialog.open(target("const x = 1;"));
    const node = document.querySelector<HTMLDialogElement>("dialog.jp-KilnAnnotationDialog");
    expect(node).toBe(dialog.node);
    expect(node?.open).toBe(true);
    expect(node?.querySelector("h2")?.textContent).toBe("Annotate cell 0 for Kiln");
    expect(node?.querySelector(".jp-KilnAnnotationDialog-cell")?.textContent).toBe("const x = 1;");
    expect(document.activeElement).toBe(node?.querySelector("select[name=kind]"));
  });

  it("writes the annotation and closes on Save", () => {
    const cell = target("plot();");
    const dialog = AnnotationDialog.open(cell);
    dialog.model.setKind("skip");
    dialog.node.querySelector<HTMLButtonElement>(".jp-KilnAnnotationForm-save")?.click();
    expect(cell.kiln).toEqual([{ kind: "skip" }]);
    expect(dialog.isDisposed).toBe(true);
    expect(document.querySelector("dialog")).toBeNull();
  });

  it("closes without writing on Cancel, and when the browser closes it (Escape)", () => {
    const cell = target("plot();");
    const first = AnnotationDialog.open(cell);
    first.model.setKind("skip");
    first.node.querySelector<HTMLButtonElement>(".jp-KilnAnnotationForm-cancel")?.click();
    expect(first.isDisposed).toBe(true);
    const second = AnnotationDialog.open(cell);
    second.node.dispatchEvent(new Event("close"));
    expect(second.isDisposed).toBe(true);
    expect(cell.kiln).toEqual([]);
  });
});
