// @vitest-environment happy-dom
import { Signal } from "@lumino/signaling";
import { Panel, PanelLayout, Widget } from "@lumino/widgets";
import { describe, expect, it } from "vitest";
import type { NotebookCell } from "../models/notebook-annotations";
import type { AnalysisState } from "../models/notebook-analysis-model";
import {
  decorateCurrentNotebook,
  type CellWidgetLike,
  type DecoratedPanelLike,
} from "./cell-note-decorator";
import { NotebookNotesModel } from "./notebook-notes-model";

/** A cell widget laid out as JupyterLab's: header, input wrapper (with the input area), footer. */
class FakeCell extends Widget implements CellWidgetLike {
  readonly model: { type: string };
  inputArea: Widget | null = null;
  readonly ready: Promise<void>;
  #render: () => void = () => undefined;

  constructor(type: string, { rendered = true } = {}) {
    super();
    this.model = { type };
    this.layout = new PanelLayout();
    this.ready = new Promise((resolve) => (this.#render = resolve));
    if (rendered) this.render();
  }

  /** What JupyterLab does when a lazily rendered cell comes into view. */
  render(): void {
    const layout = this.layout as PanelLayout;
    layout.addWidget(part("header"));
    const wrapper = new Panel();
    wrapper.addClass("input-wrapper");
    this.inputArea = part("input");
    wrapper.addWidget(this.inputArea);
    layout.addWidget(wrapper);
    layout.addWidget(part("footer"));
    this.#render();
  }

  parts(): string[] {
    return [...this.node.children].map((child) => child.className.split(" ").at(-1) ?? "");
  }
}

function part(name: string): Widget {
  const widget = new Widget();
  widget.addClass(name);
  return widget;
}

const code = (index: number, source: string): NotebookCell => ({ index, cellType: "code", source });

function setUp(cells: FakeCell[], sources: NotebookCell[], path = "a.ipynb") {
  const panel: DecoratedPanelLike = { context: { path }, content: { widgets: cells } };
  const tracker = {
    currentWidget: panel as DecoratedPanelLike | null,
    currentChanged: new Signal<unknown, unknown>({}),
  };
  const analysis = {
    state: { status: "no-notebook" } as AnalysisState,
    changed: new Signal<unknown, void>({}),
  };
  const notes = new NotebookNotesModel(analysis);
  notes.showNotebook(path, sources);
  for (const cell of cells) Widget.attach(cell, document.body);
  const decorating = decorateCurrentNotebook(tracker, notes);
  return { tracker, notes, decorating };
}

const problemsShown = (cell: FakeCell) =>
  [...cell.node.querySelectorAll(".jp-KilnCellNotes-problem")].map(
    (item) => (item as HTMLElement).dataset.code,
  );

describe("decorateCurrentNotebook", () => {
  it("puts the notes of a code cell right under its input", () => {
    const cells = [new FakeCell("code"), new FakeCell("code")];
    setUp(cells, [code(0, "const x = 1;"), code(1, "// @kiln step=Bad")]);
    expect(cells[0]?.parts()).toEqual(["header", "input-wrapper", "footer"]);
    expect(cells[1]?.parts()).toEqual(["header", "input-wrapper", "jp-KilnCellNotes", "footer"]);
    expect(problemsShown(cells[1]!)).toEqual(["invalid-annotation"]);
  });

  it("clears a problem as soon as the cell is fixed", () => {
    const cells = [new FakeCell("code")];
    const { notes } = setUp(cells, [code(0, "// @kiln step=Bad")]);
    notes.showNotebook("a.ipynb", [code(0, "// @kiln step=good")]);
    expect(problemsShown(cells[0]!)).toEqual([]);
    expect(cells[0]?.node.querySelector<HTMLElement>(".jp-KilnCellNotes")?.hidden).toBe(true);
  });

  it("decorates a lazily rendered cell once it renders", async () => {
    const late = new FakeCell("code", { rendered: false });
    setUp([late], [code(0, "// @kiln step=Bad")]);
    expect(late.node.querySelector(".jp-KilnCellNotes")).toBeNull();
    late.render();
    await late.ready;
    expect(late.parts()).toEqual(["header", "input-wrapper", "jp-KilnCellNotes", "footer"]);
  });

  it("leaves markdown cells alone", () => {
    const markdown = new FakeCell("markdown");
    setUp([markdown], [{ index: 0, cellType: "markdown", source: "// @kiln step=Bad" }]);
    expect(markdown.node.querySelector(".jp-KilnCellNotes")).toBeNull();
  });

  it("takes its notes off a notebook that is no longer current, and off all when disposed", () => {
    const cells = [new FakeCell("code")];
    const { tracker, decorating, notes } = setUp(cells, [code(0, "// @kiln step=Bad")]);
    tracker.currentWidget = null;
    tracker.currentChanged.emit(null);
    expect(problemsShown(cells[0]!)).toEqual([]);
    tracker.currentWidget = { context: { path: "a.ipynb" }, content: { widgets: cells } };
    tracker.currentChanged.emit(null);
    expect(problemsShown(cells[0]!)).toEqual(["invalid-annotation"]);
    decorating.dispose();
    notes.showNotebook("a.ipynb", [code(0, "// @kiln step=Worse")]);
    expect(problemsShown(cells[0]!)).toEqual([]);
  });
});
