import { Signal } from "@lumino/signaling";
import { describe, expect, it } from "vitest";
import type { NotebookAnalysis } from "../api/pipelines-api";
import type { NotebookCell } from "../models/notebook-annotations";
import type { AnalysisState } from "../models/notebook-analysis-model";
import { NotebookNotesModel, type AnalysisSource } from "./notebook-notes-model";

const code = (index: number, source: string): NotebookCell => ({ index, cellType: "code", source });

/** Stands in for NotebookAnalysisModel: a state and a signal the test drives. */
class FakeAnalysis implements AnalysisSource {
  state: AnalysisState = { status: "no-notebook" };
  readonly changed = new Signal<this, void>(this);
  answer(analysis: NotebookAnalysis): void {
    this.state = { status: "analyzed", path: "a.ipynb", analysis };
    this.changed.emit();
  }
}

describe("NotebookNotesModel", () => {
  it("has no notes until a notebook is shown, and none again once it closes", () => {
    const model = new NotebookNotesModel(new FakeAnalysis());
    expect(model.notes).toBeNull();
    model.showNotebook("a.ipynb", [code(0, "const x = 1;")]);
    expect(model.notes?.path).toBe("a.ipynb");
    model.clearNotebook();
    expect(model.notes).toBeNull();
  });

  it("reads the cells again on every edit, but says so only when the notes change", () => {
    const model = new NotebookNotesModel(new FakeAnalysis());
    let changes = 0;
    model.changed.connect(() => changes++);
    model.showNotebook("a.ipynb", [code(0, "// @kiln step=a\nconst x = 1;")]);
    model.showNotebook("a.ipynb", [code(0, "// @kiln step=a\nconst x = 12;")]);
    expect(changes).toBe(1);
    model.showNotebook("a.ipynb", [code(0, "// @kiln step=A\nconst x = 12;")]);
    expect(changes).toBe(2);
    expect(model.noteOf(0)?.problems.map((p) => p.code)).toEqual(["invalid-annotation"]);
  });

  it("adds the server's analysis when it arrives", () => {
    const analysis = new FakeAnalysis();
    const model = new NotebookNotesModel(analysis);
    model.showNotebook("a.ipynb", [code(0, "// @kiln step=load\nconst xs = [1];")]);
    expect(model.noteOf(0)).toBeUndefined();
    analysis.answer({
      spec: {
        steps: [
          {
            name: "load",
            cells: [{ index: 0, firstLine: "// @kiln step=load" }],
            inputs: [],
            outputs: ["xs"],
          },
        ],
      } as unknown as NotebookAnalysis["spec"],
      version: null,
      problems: [],
    });
    expect(model.noteOf(0)?.dataflow).toEqual({ step: "load", inputs: [], outputs: ["xs"] });
  });

  it("stops following the analysis once disposed", () => {
    const analysis = new FakeAnalysis();
    const model = new NotebookNotesModel(analysis);
    model.showNotebook("a.ipynb", []);
    model.dispose();
    analysis.answer({ spec: null, version: null, problems: [] });
    expect(model.isDisposed).toBe(true);
    expect(model.notes?.server).toEqual({ state: "checking" });
  });
});
