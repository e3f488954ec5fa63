import type { PipelineSpec, StepSpec } from "@kiln/kernel-lib/spec";
import { describe, expect, it } from "vitest";
import type { CompileProblem, NotebookAnalysis } from "../api/pipelines-api";
import type { NotebookCell } from "../models/notebook-annotations";
import type { AnalysisState } from "../models/notebook-analysis-model";
import { KilnServerError } from "../tokens";
import { dataflowLine, locateCell, notebookNotesOf } from "./notebook-notes";

const code = (index: number, source: string): NotebookCell => ({ index, cellType: "code", source });
const cells: NotebookCell[] = [
  code(0, "const scale = 2;"),
  code(1, "// @kiln step=load\nconst xs = [1, 2].map((x) => x * scale);"),
  { index: 2, cellType: "markdown", source: "## Training" },
  code(3, "// @kiln step=train\nconst model = xs.length;"),
];
const step = (name: string, cell: number, flow: Partial<StepSpec>): StepSpec =>
  ({
    name,
    cells: [{ index: cell, firstLine: `// @kiln step=${name}` }],
    inputs: [],
    outputs: [],
    ...flow,
  }) as StepSpec;
const compiled = (steps: StepSpec[]): NotebookAnalysis => ({
  spec: { steps } as PipelineSpec,
  version: null,
  problems: [],
});
const failed = (problems: CompileProblem[]): NotebookAnalysis => ({
  spec: null,
  version: null,
  problems,
});
const analyzed = (analysis: NotebookAnalysis, path = "a.ipynb"): AnalysisState => ({
  status: "analyzed",
  path,
  analysis,
});
const flows = compiled([
  step("load", 1, { outputs: ["xs"] }),
  step("train", 3, { inputs: [{ name: "xs", from: "load" }], outputs: [] }),
]);

describe("notebookNotesOf", () => {
  it("puts each step's inferred inputs and outputs on its annotated cell", () => {
    const notes = notebookNotesOf("a.ipynb", cells, analyzed(flows));
    expect(notes.cells).toEqual([
      { cellIndex: 1, problems: [], dataflow: { step: "load", inputs: [], outputs: ["xs"] } },
      {
        cellIndex: 3,
        problems: [],
        dataflow: { step: "train", inputs: [{ name: "xs", from: "load" }], outputs: [] },
      },
    ]);
    expect(notes.server).toEqual({ state: "checked" });
  });

  it("puts the server's problems on their cells, and those without a cell on the notebook", () => {
    const undefinedName: CompileProblem = {
      code: "undefined-name",
      cell: { index: 3, firstLine: "// @kiln step=train" },
      message: "step `train` reads `ys`, which is used but defined nowhere upstream.",
      fix: "Declare `ys` in an earlier step.",
    };
    const lockfile: CompileProblem = {
      code: "missing-lockfile",
      message: "no lockfile",
      fix: "npm install",
    };
    const notes = notebookNotesOf("a.ipynb", cells, analyzed(failed([undefinedName, lockfile])));
    expect(notes.cells).toEqual([
      {
        cellIndex: 3,
        problems: [
          { code: "undefined-name", message: undefinedName.message, fix: undefinedName.fix },
        ],
      },
    ]);
    expect(notes.notebookProblems).toEqual([
      { code: "missing-lockfile", message: "no lockfile", fix: "npm install" },
    ]);
  });

  it("shows annotation problems from the local checks, even when the server cannot be asked", () => {
    const edited = [...cells.slice(0, 3), code(3, "// @kiln step=train after=nope\nfit();")];
    const unreachable = new KilnServerError(
      "unreachable",
      "Kiln server unreachable at http://k",
      "Start it.",
      {
        serverUrl: "http://k",
      },
    );
    const notes = notebookNotesOf("a.ipynb", edited, {
      status: "failed",
      path: "a.ipynb",
      error: unreachable,
    });
    expect(notes.cells.map((n) => [n.cellIndex, n.problems.map((p) => p.code)])).toEqual([
      [3, ["unknown-after"]],
    ]);
    expect(notes.server).toEqual({
      state: "failed",
      message: "Kiln server unreachable at http://k",
      fix: "Start it.",
    });
  });

  it("drops the server's copy of problems the local checks cover (the local one is current)", () => {
    const stale: CompileProblem = {
      code: "unknown-after",
      cell: { index: 3, firstLine: "// @kiln step=train" },
      message: "stale",
      fix: "stale",
    };
    expect(notebookNotesOf("a.ipynb", cells, analyzed(failed([stale]))).cells).toEqual([]);
  });

  it("does not call an unannotated notebook a pipeline without steps", () => {
    const noSteps: CompileProblem = { code: "no-steps", message: "no steps", fix: "annotate" };
    const plain = [code(0, "const x = 1;")];
    expect(notebookNotesOf("a.ipynb", plain, analyzed(failed([noSteps]))).notebookProblems).toEqual(
      [],
    );
    const paramsOnly = [code(0, "// @kiln params\nconst x = 1;")];
    expect(
      notebookNotesOf("a.ipynb", paramsOnly, analyzed(failed([noSteps]))).notebookProblems,
    ).toHaveLength(1);
  });

  it("keeps showing the previous analysis while the next one is on its way", () => {
    const state: AnalysisState = { status: "analyzing", path: "a.ipynb", previous: flows };
    const notes = notebookNotesOf("a.ipynb", cells, state);
    expect(notes.cells.map((n) => n.dataflow?.step)).toEqual(["load", "train"]);
    expect(notes.server).toEqual({ state: "checking" });
  });

  it("ignores an analysis of another notebook", () => {
    const notes = notebookNotesOf("b.ipynb", cells, analyzed(flows, "a.ipynb"));
    expect(notes).toEqual({
      path: "b.ipynb",
      cells: [],
      notebookProblems: [],
      server: { state: "checking" },
    });
  });

  it("follows a step to its cell when cells moved since the analysis, and drops what it cannot place", () => {
    const inserted = [
      code(0, "// @kiln skip\nplot();"),
      ...cells.map((c) => ({ ...c, index: c.index + 1 })),
    ];
    const notes = notebookNotesOf("a.ipynb", inserted, analyzed(flows));
    expect(notes.cells.map((n) => [n.cellIndex, n.dataflow?.step])).toEqual([
      [2, "load"],
      [4, "train"],
    ]);
    const retyped = [...cells.slice(0, 3), code(3, "// @kiln step=fit\nconst model = xs.length;")];
    expect(
      notebookNotesOf("a.ipynb", retyped, analyzed(flows)).cells.map((n) => n.cellIndex),
    ).toEqual([1]);
  });
});

describe("dataflowLine", () => {
  it("says what a step reads from which step and what it passes on", () => {
    expect(
      dataflowLine({
        step: "train",
        inputs: [
          { name: "xs", from: "load" },
          { name: "ys", from: "load" },
        ],
        outputs: ["model"],
      }),
    ).toBe("inputs: xs (from load), ys (from load) · outputs: model");
    expect(dataflowLine({ step: "load", inputs: [], outputs: [] })).toBe(
      "inputs: none · outputs: none",
    );
  });
});

describe("locateCell", () => {
  it("prefers the same position, else the one code cell starting with the same line", () => {
    expect(locateCell({ index: 1, firstLine: "// @kiln step=load" }, cells)).toBe(1);
    expect(locateCell({ index: 0, firstLine: "// @kiln step=train" }, cells)).toBe(3);
    expect(locateCell({ index: 0, firstLine: "gone" }, cells)).toBeUndefined();
  });
});
