import { describe, expect, it } from "vitest";
import { readNotebookAnnotations, type NotebookCell } from "./notebook-annotations";

const code = (index: number, source: string, kiln?: unknown): NotebookCell => ({
  index,
  cellType: "code",
  source,
  metadata: kiln === undefined ? {} : { kiln },
});

describe("readNotebookAnnotations", () => {
  const cases: {
    name: string;
    cells: NotebookCell[];
    annotated: { index: number; kind: string; step?: string; after?: string[] }[];
    problems: { index: number; code: string; message: RegExp }[];
  }[] = [
    {
      name: "lists steps from first-line comments, in notebook order",
      cells: [
        code(0, 'import * as tf from "@tensorflow/tfjs-node";'),
        code(1, "// @kiln step=prepare\nconst xs = [1, 2];"),
        code(2, "// @kiln step=train after=prepare\nfit(xs);"),
      ],
      annotated: [
        { index: 1, kind: "step", step: "prepare", after: [] },
        { index: 2, kind: "step", step: "train", after: ["prepare"] },
      ],
      problems: [],
    },
    {
      name: "reads the `kiln` cell metadata as an annotation",
      cells: [code(0, "fit();", { kind: "step", step: "train", after: ["prepare"] })],
      annotated: [{ index: 0, kind: "step", step: "train", after: ["prepare"] }],
      problems: [],
    },
    {
      name: "lists params, transform and skip cells with their kind",
      cells: [
        code(0, "// @kiln params\nconst epochs = 3;"),
        code(1, "// @kiln transform\nexport const scale = (x: number) => x / 10;"),
        code(2, "// @kiln skip\nplot();"),
      ],
      annotated: [
        { index: 0, kind: "params" },
        { index: 1, kind: "transform" },
        { index: 2, kind: "skip" },
      ],
      problems: [],
    },
    {
      name: "ignores markdown and raw cells, but counts them in cell indexes",
      cells: [
        { index: 0, cellType: "markdown", source: "// @kiln step=not-code" },
        { index: 1, cellType: "raw", source: "// @kiln bogus" },
        code(2, "// @kiln step=train\nfit();"),
      ],
      annotated: [{ index: 2, kind: "step", step: "train" }],
      problems: [],
    },
    {
      name: "reports an invalid comment instead of listing the cell",
      cells: [code(0, "// @kiln step=Train\nfit();"), code(1, "// @kiln step=ok")],
      annotated: [{ index: 1, kind: "step", step: "ok" }],
      problems: [{ index: 0, code: "invalid-annotation", message: /invalid step name `Train`/ }],
    },
    {
      name: "reports metadata and comment that disagree",
      cells: [code(0, "// @kiln step=train\nfit();", { kind: "step", step: "fit" })],
      annotated: [],
      problems: [{ index: 0, code: "conflicting-annotations", message: /both forms must agree/ }],
    },
    {
      name: "reports an annotation comment below the first line",
      cells: [code(0, "const x = 1;\n// @kiln step=late")],
      annotated: [],
      problems: [{ index: 0, code: "invalid-annotation", message: /below its first line/ }],
    },
    {
      name: "leaves plain code cells out",
      cells: [code(0, "const x = 1;"), code(1, "")],
      annotated: [],
      problems: [],
    },
  ];

  for (const { name, cells, annotated, problems } of cases) {
    it(name, () => {
      const result = readNotebookAnnotations(cells);
      expect(result.annotated).toHaveLength(annotated.length);
      annotated.forEach((expected, i) => {
        const actual = result.annotated[i];
        expect(actual?.cell.index).toBe(expected.index);
        expect(actual?.annotation).toMatchObject({ kind: expected.kind });
        if (expected.step) expect(actual?.annotation).toMatchObject({ step: expected.step });
        if (expected.after) expect(actual?.annotation).toMatchObject({ after: expected.after });
      });
      expect(result.problems).toHaveLength(problems.length);
      problems.forEach((expected, i) => {
        const actual = result.problems[i];
        expect(actual?.cell.index).toBe(expected.index);
        expect(actual?.code).toBe(expected.code);
        expect(actual?.message).toMatch(expected.message);
        expect(actual?.fix).not.toBe("");
      });
    });
  }

  it("names a cell by its first non-empty line", () => {
    const { annotated } = readNotebookAnnotations([code(4, "\n  // @kiln step=train  \nfit();")]);
    expect(annotated[0]?.cell).toEqual({ index: 4, firstLine: "// @kiln step=train" });
  });
});
