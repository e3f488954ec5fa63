import { describe, expect, it } from "vitest";
import { checkDraft, draftOf, type AnnotationDraft, type OtherStep } from "./annotation-draft";

const step = (name: string, after: string[] = []): AnnotationDraft => ({
  kind: "step",
  step: name,
  after,
  cache: true,
});
const others: OtherStep[] = [
  { name: "load", cellIndex: 1 },
  { name: "evaluate", cellIndex: 5 },
];

describe("draftOf", () => {
  it("shows a step with its name, after and cache", () => {
    expect(draftOf({ kind: "step", step: "train", after: ["load"], cache: false })).toEqual({
      kind: "step",
      step: "train",
      after: ["load"],
      cache: false,
    });
  });

  it("shows a plain cell as not annotated, and other kinds without step fields", () => {
    expect(draftOf(undefined)).toEqual({ kind: "none", step: "", after: [], cache: true });
    expect(draftOf({ kind: "skip" })).toEqual({ kind: "skip", step: "", after: [], cache: true });
  });
});

describe("checkDraft", () => {
  it("turns a valid step into the annotation the compiler reads (name trimmed, after sorted)", () => {
    expect(checkDraft({ ...step(" train "), after: ["load", "evaluate"] }, others)).toEqual({
      ok: true,
      annotation: { kind: "step", step: "train", after: ["evaluate", "load"], cache: true },
    });
  });

  it("keeps cache=false from the cell it started from", () => {
    expect(checkDraft({ ...step("train"), cache: false }, others)).toMatchObject({
      ok: true,
      annotation: { cache: false },
    });
  });

  it("gives other kinds without their step fields, and nothing for not annotated", () => {
    expect(checkDraft({ ...step("ignored", ["load"]), kind: "params" }, others)).toEqual({
      ok: true,
      annotation: { kind: "params" },
    });
    expect(checkDraft({ ...step("x"), kind: "none" }, others)).toEqual({
      ok: true,
      annotation: undefined,
    });
  });

  const refused: {
    why: string;
    draft: AnnotationDraft;
    errors: { field: string; message: RegExp }[];
  }[] = [
    {
      why: "an empty name",
      draft: step(""),
      errors: [{ field: "step", message: /^A step needs a name, as in `step=train`\.$/ }],
    },
    {
      why: "a name the spec rules refuse",
      draft: step("Train"),
      errors: [
        {
          field: "step",
          message: /^Invalid step name `Train` \(names start with a lower-case letter/,
        },
      ],
    },
    {
      why: "a name another cell uses",
      draft: step("load"),
      errors: [
        {
          field: "step",
          message: /^Step name `load` is already used by cell 1; step names must be unique\.$/,
        },
      ],
    },
    {
      why: "after naming itself",
      draft: step("train", ["train"]),
      errors: [{ field: "after", message: /^A step cannot run after itself\.$/ }],
    },
    {
      why: "after naming a step that does not exist",
      draft: step("train", ["gone", "load"]),
      errors: [
        { field: "after", message: /^There is no step `gone` in this notebook; untick it\.$/ },
      ],
    },
  ];

  it.each(refused)("refuses $why, saying which field and why", ({ draft, errors }) => {
    const check = checkDraft(draft, others);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.errors).toHaveLength(errors.length);
    errors.forEach((expected, i) => {
      expect(check.errors[i]?.field).toBe(expected.field);
      expect(check.errors[i]?.message).toMatch(expected.message);
    });
  });
});
