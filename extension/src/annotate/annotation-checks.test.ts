import { describe, expect, it } from "vitest";
import type { NotebookCell } from "../models/notebook-annotations";
import { checkAnnotations } from "./annotation-checks";

const code = (index: number, source: string, kiln?: unknown): NotebookCell => ({
  index,
  cellType: "code",
  source,
  ...(kiln === undefined ? {} : { metadata: { kiln } }),
});

describe("checkAnnotations", () => {
  it("finds nothing wrong with a well-annotated notebook", () => {
    expect(
      checkAnnotations([
        code(0, "// @kiln step=load\nconst xs = [1];"),
        { index: 1, cellType: "markdown", source: "// @kiln step=Not-Code" },
        code(2, "fit(xs);", { kind: "step", step: "train", after: ["load"] }),
      ]),
    ).toEqual([]);
  });

  it("reports each cell's invalid or conflicting annotation, as the spec module reads it", () => {
    const problems = checkAnnotations([
      code(0, "// @kiln step=Load"),
      code(1, "// @kiln step=fit", { kind: "step", step: "train" }),
    ]);
    expect(problems.map((p) => [p.cellIndex, p.code])).toEqual([
      [0, "invalid-annotation"],
      [1, "conflicting-annotations"],
    ]);
    expect(problems[1]?.message).toContain("its metadata says `// @kiln step=train`");
  });

  it("reports a step name used twice on the second cell, as the compiler does", () => {
    const [problem] = checkAnnotations([code(0, "// @kiln step=a"), code(3, "// @kiln step=a")]);
    expect(problem).toEqual({
      code: "duplicate-step",
      cellIndex: 3,
      message: "step name `a` is already used by cell 0; step names must be unique.",
      fix: "Rename one of the steps, or remove this cell's annotation so it joins the step above.",
    });
  });

  it("reports an `after` naming no step on the step that says it, listing the steps there are", () => {
    const problems = checkAnnotations([
      code(0, "// @kiln step=load"),
      code(1, "// @kiln step=train after=lod,load"),
    ]);
    expect(problems).toEqual([
      {
        code: "unknown-after",
        cellIndex: 1,
        message: "step `train` says `after=lod`, but there is no step `lod` (steps: `load`).",
        fix: "Change `after` to the name of an existing step, or remove `lod` from it.",
      },
    ]);
  });
});
