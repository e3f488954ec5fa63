// @vitest-environment happy-dom
import { Widget } from "@lumino/widgets";
import { describe, expect, it } from "vitest";
import { CellNoteView } from "./CellNoteView";

describe("CellNoteView", () => {
  it("is hidden while the cell has nothing to show", () => {
    const view = new CellNoteView();
    Widget.attach(view, document.body);
    expect(view.node.hidden).toBe(true);
    view.showNote(0, { cellIndex: 0, problems: [] });
    expect(view.node.hidden).toBe(true);
  });

  it("shows a step's inferred inputs and outputs in one line", () => {
    const view = new CellNoteView();
    view.showNote(3, {
      cellIndex: 3,
      dataflow: { step: "train", inputs: [{ name: "xs", from: "load" }], outputs: ["model"] },
      problems: [],
    });
    expect(view.node.hidden).toBe(false);
    expect(view.node.dataset.cellIndex).toBe("3");
    expect(view.node.querySelector(".jp-KilnCellNotes-dataflow")?.textContent).toBe(
      "inputs: xs (from load) · outputs: model",
    );
  });

  it("shows each problem with its fix, and clears it once fixed", () => {
    const view = new CellNoteView();
    const problem = {
      code: "undefined-name",
      message: "step `train` reads `ys`, which is used but defined nowhere upstream.",
      fix: "Declare `ys` in an earlier step.",
    };
    view.showNote(1, { cellIndex: 1, problems: [problem] });
    const item = view.node.querySelector<HTMLElement>(".jp-KilnCellNotes-problem");
    expect(item?.dataset.code).toBe("undefined-name");
    expect(item?.querySelector(".jp-KilnCellNotes-problemMessage")?.textContent).toBe(
      "Step train reads ys, which is used but defined nowhere upstream.",
    );
    expect(item?.querySelectorAll("code")).toHaveLength(3);
    expect(item?.querySelector(".jp-KilnCellNotes-problemFix")?.textContent).toBe(
      "Declare ys in an earlier step.",
    );
    view.showNote(1, undefined);
    expect(view.node.hidden).toBe(true);
    expect(view.node.querySelector(".jp-KilnCellNotes-problem")).toBeNull();
  });

  it("shows messages as text, never as markup", () => {
    const view = new CellNoteView();
    view.showNote(0, {
      cellIndex: 0,
      problems: [{ code: "x", message: "<img src=x onerror=alert(1)>", fix: "<b>no</b>" }],
    });
    expect(view.node.querySelector("img, b")).toBeNull();
    expect(view.node.textContent).toContain("<img src=x onerror=alert(1)>");
  });
});
