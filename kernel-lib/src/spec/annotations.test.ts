import { describe, expect, it } from "vitest";
import {
  duplicateStepProblem,
  unknownAfterProblem,
  cellRefOf,
  checkStepName,
  formatAnnotationComment,
  parseAnnotationComment,
  parseAnnotationMetadata,
  resolveCellAnnotation,
  toAnnotationMetadata,
  withAnnotationComment,
  type KilnCellAnnotation,
} from "./annotations";

const train: KilnCellAnnotation = { kind: "step", step: "train", after: [], cache: true };

describe("parseAnnotationComment", () => {
  const cases: { source: string | string[]; expected: KilnCellAnnotation | undefined }[] = [
    { source: "// @kiln step=train\nfit();", expected: train },
    { source: "\n\n  // @kiln step=train  ", expected: train },
    { source: "//@kiln step=train", expected: train },
    { source: "// @kiln step=train after=prepare", expected: { ...train, after: ["prepare"] } },
    { source: "// @kiln step=train after=b,a,b", expected: { ...train, after: ["a", "b"] } },
    { source: "// @kiln step=train cache=false", expected: { ...train, cache: false } },
    { source: "// @kiln step step=train", expected: train },
    { source: "// @kiln params", expected: { kind: "params" } },
    { source: "// @kiln transform", expected: { kind: "transform" } },
    { source: ["// @kiln skip\n", "plot();"], expected: { kind: "skip" } },
    { source: "const x = 1; // @kiln step=train", expected: undefined },
    { source: "// a comment\n// @kiln step=train", expected: undefined },
    { source: "// @kilns step=train", expected: undefined },
    { source: "", expected: undefined },
  ];
  it.each(cases)("$source", ({ source, expected }) => {
    expect(parseAnnotationComment(source)).toEqual(expected);
  });

  const errors: [string, string][] = [
    ["// @kiln", "names no kind"],
    ["// @kiln model", "unknown kind `model`"],
    ["// @kiln step", "a step needs a name"],
    ["//@kiln step train", "names two kinds"],
    ["// @kiln step=Train", "invalid step name `Train`"],
    ["// @kiln step=9lives", "invalid step name `9lives`"],
    ["// @kiln step=train after=Prep", "invalid step name `Prep` in `after`"],
    ["// @kiln step=train after=", "invalid step name `` in `after`"],
    ["// @kiln step=train retries=3", "unknown key `retries`"],
    ["// @kiln step=train step=fit", "appears twice"],
    ["// @kiln step=train cache=no", "`cache` must be true or false"],
    ["// @kiln params after=load", "only applies to steps"],
    ["// @kiln params step=load", "only applies to steps"],
  ];
  it.each(errors)("rejects %s", (source, message) => {
    const result = parseAnnotationComment(source);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toContain(message);
  });
});

describe("parseAnnotationMetadata", () => {
  it.each([
    [undefined, undefined],
    [null, undefined],
    [{ kind: "step", step: "train" }, train],
    [{ step: "train" }, train],
    [
      { kind: "step", step: "train", after: ["z", "a"], cache: false },
      { ...train, after: ["a", "z"], cache: false },
    ],
    [{ kind: "params" }, { kind: "params" }],
  ])("%j", (metadata, expected) => {
    expect(parseAnnotationMetadata(metadata)).toEqual(expected);
  });

  it.each([
    ["step", "must be an object"],
    [{ kind: "model" }, "unknown kind `model`"],
    [{ kind: 3 }, "`kiln.kind` must be a string"],
    [{ kind: "step", step: "train", after: "prepare" }, "must be an array of step names"],
    [{ kind: "step", step: "train", cache: "no" }, "must be true or false"],
    [{ kind: "step", step: "train", retries: 3 }, "unknown key `retries`"],
    [{ kind: "skip", step: "x" }, "only applies to steps"],
    [{}, "no kind given"],
  ])("rejects %j", (metadata, message) => {
    const result = parseAnnotationMetadata(metadata);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toContain(message);
  });
});

describe("resolveCellAnnotation", () => {
  it("returns undefined for a plain cell", () => {
    expect(resolveCellAnnotation({ index: 0, source: "const a = 1;" })).toEqual({
      ok: true,
      annotation: undefined,
    });
  });

  it("accepts both forms when they agree (after order aside)", () => {
    const result = resolveCellAnnotation({
      index: 1,
      source: "// @kiln step=train after=b,a",
      metadata: { kiln: { kind: "step", step: "train", after: ["a", "b"] } },
    });
    expect(result).toEqual({ ok: true, annotation: { ...train, after: ["a", "b"] } });
  });

  it("reports disagreeing forms, naming the cell", () => {
    const result = resolveCellAnnotation({
      index: 4,
      source: "// @kiln step=fit\nfit();",
      metadata: { kiln: { kind: "step", step: "train" } },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.code).toBe("conflicting-annotations");
    expect(result.problem.cell).toEqual({ index: 4, firstLine: "// @kiln step=fit" });
    expect(result.problem.message).toContain("`// @kiln step=train`");
    expect(result.problem.fix).not.toBe("");
  });

  it("reports an annotation comment that is not on the first line", () => {
    const result = resolveCellAnnotation({
      index: 3,
      source: "// Train the model\n// @kiln step=train",
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toContain("below its first line");
  });

  it("reports an invalid comment as invalid-annotation with a fix", () => {
    const result = resolveCellAnnotation({ index: 2, source: "// @kiln stage=train" });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe("invalid-annotation");
      expect(result.problem.message).toContain("unknown key `stage`");
      expect(result.problem.fix).toContain("// @kiln step=<name>");
    }
  });
});

describe("checkStepName", () => {
  const cases: { name: string; problem: string | undefined }[] = [
    { name: "train", problem: undefined },
    { name: "train-model_2", problem: undefined },
    { name: "", problem: "a step needs a name, as in `step=train`" },
    { name: "Train", problem: "invalid step name `Train` (names start with a lower-case letter" },
    { name: "2train", problem: "invalid step name `2train`" },
    { name: "train model", problem: "invalid step name `train model`" },
    { name: "../etc", problem: "invalid step name `../etc`" },
  ];

  it.each(cases)("says what is wrong with $name, if anything", ({ name, problem }) => {
    const error = checkStepName(name);
    if (problem === undefined) expect(error).toBeUndefined();
    else expect(error?.message).toContain(problem);
  });

  it("is the rule both annotation forms apply", () => {
    const invalid = "Train";
    const ruled = checkStepName(invalid)?.message;
    expect(parseAnnotationComment(`// @kiln step=${invalid}`)).toEqual(new Error(ruled));
    expect(parseAnnotationMetadata({ kind: "step", step: invalid })).toEqual(new Error(ruled));
  });
});

describe("rendering annotations for the extension", () => {
  const annotations: KilnCellAnnotation[] = [
    train,
    { kind: "step", step: "evaluate", after: ["train", "prepare"].sort(), cache: false },
    { kind: "params" },
    { kind: "transform" },
    { kind: "skip" },
  ];

  it.each(annotations)("round-trips $kind through the comment and metadata forms", (annotation) => {
    expect(parseAnnotationComment(formatAnnotationComment(annotation))).toEqual(annotation);
    expect(parseAnnotationMetadata(toAnnotationMetadata(annotation))).toEqual(annotation);
  });

  it("formats defaults away", () => {
    expect(formatAnnotationComment({ ...train, after: ["a", "b"], cache: false })).toBe(
      "// @kiln step=train after=a,b cache=false",
    );
    expect(toAnnotationMetadata(train)).toEqual({ kind: "step", step: "train" });
  });

  it("replaces, adds and removes the comment line", () => {
    expect(withAnnotationComment("\n// @kiln skip\nplot();", train)).toBe(
      "\n// @kiln step=train\nplot();",
    );
    expect(withAnnotationComment("fit();", { kind: "params" })).toBe("// @kiln params\nfit();");
    expect(withAnnotationComment("// @kiln skip\nplot();", undefined)).toBe("plot();");
    expect(withAnnotationComment("plot();", undefined)).toBe("plot();");
  });
});

describe("cellRefOf", () => {
  it("uses the first non-empty line, trimmed and shortened", () => {
    expect(cellRefOf(3, ["\n", "  const a = 1;  \n", "b"])).toEqual({
      index: 3,
      firstLine: "const a = 1;",
    });
    expect(cellRefOf(0, `// ${"x".repeat(200)}`).firstLine).toHaveLength(80);
    expect(cellRefOf(1, "   \n")).toEqual({ index: 1, firstLine: "" });
  });
});

describe("notebook-wide step name problems (one text for the compiler and the extension)", () => {
  it("names the cell that has a duplicated step name first", () => {
    expect(duplicateStepProblem("train", 2)).toEqual({
      code: "duplicate-step",
      message: "step name `train` is already used by cell 2; step names must be unique.",
      fix: "Rename one of the steps, or remove this cell's annotation so it joins the step above.",
    });
  });

  it("lists the steps an unknown `after` could have named", () => {
    expect(unknownAfterProblem("train", "prep", ["load", "split"]).message).toBe(
      "step `train` says `after=prep`, but there is no step `prep` (steps: `load`, `split`).",
    );
    expect(unknownAfterProblem("train", "prep", []).message).toMatch(/\(steps: none other\)/);
  });
});
