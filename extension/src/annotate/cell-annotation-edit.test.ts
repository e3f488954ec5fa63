import type { KilnCellAnnotation } from "@kiln/kernel-lib/spec";
import { describe, expect, it } from "vitest";
import { annotatedSource, writeCellAnnotation, type WritableCell } from "./cell-annotation-edit";

const train: KilnCellAnnotation = { kind: "step", step: "train", after: ["load"], cache: true };

/** A cell model in memory that counts transactions, as JupyterLab's shared model groups edits. */
function fakeCell(source: string, kiln?: unknown) {
  const metadata = new Map<string, unknown>(kiln === undefined ? [] : [["kiln", kiln]]);
  const log: string[] = [];
  const cell: WritableCell & { source: string; log: string[]; metadata: Map<string, unknown> } = {
    source,
    log,
    metadata,
    sharedModel: {
      getSource: () => cell.source,
      setSource: (next) => {
        log.push("setSource");
        cell.source = next;
      },
      transact: (change) => {
        log.push("transact");
        change();
      },
    },
    getMetadata: (key) => metadata.get(key),
    setMetadata: (key, value) => {
      log.push("setMetadata");
      metadata.set(key, value);
    },
    deleteMetadata: (key) => {
      log.push("deleteMetadata");
      metadata.delete(key);
    },
  };
  return cell;
}

describe("annotatedSource", () => {
  const cases: {
    what: string;
    source: string;
    annotation: KilnCellAnnotation | undefined;
    expected: ReturnType<typeof annotatedSource>;
  }[] = [
    {
      what: "writes metadata only on a cell without a comment",
      source: "const model = fit(xs);",
      annotation: train,
      expected: {
        source: "const model = fit(xs);",
        metadata: { kind: "step", step: "train", after: ["load"] },
      },
    },
    {
      what: "rewrites an existing comment to say the same as the metadata",
      source: "// @kiln step=fit\nconst model = fit(xs);",
      annotation: train,
      expected: {
        source: "// @kiln step=train after=load\nconst model = fit(xs);",
        metadata: { kind: "step", step: "train", after: ["load"] },
      },
    },
    {
      what: "rewrites an invalid comment too",
      source: "// @kiln step=Fit\nfit();",
      annotation: { kind: "skip" },
      expected: { source: "// @kiln skip\nfit();", metadata: { kind: "skip" } },
    },
    {
      what: "removes the comment and the metadata when the cell is un-annotated",
      source: "\n// @kiln params\nconst lr = 0.1;",
      annotation: undefined,
      expected: { source: "\nconst lr = 0.1;", metadata: undefined },
    },
    {
      what: "leaves a comment below the first line alone (it is not an annotation)",
      source: "fit();\n// @kiln step=x",
      annotation: { kind: "params" },
      expected: { source: "fit();\n// @kiln step=x", metadata: { kind: "params" } },
    },
  ];

  it.each(cases)("$what", ({ source, annotation, expected }) => {
    expect(annotatedSource(source, annotation)).toEqual(expected);
  });
});

describe("writeCellAnnotation", () => {
  it("changes the comment and the metadata in one transaction (one undo step)", () => {
    const cell = fakeCell("// @kiln step=fit\nfit();", { kind: "step", step: "fit" });
    writeCellAnnotation(cell, train);
    expect(cell.log).toEqual(["transact", "setSource", "setMetadata"]);
    expect(cell.source).toBe("// @kiln step=train after=load\nfit();");
    expect(cell.metadata.get("kiln")).toEqual({ kind: "step", step: "train", after: ["load"] });
  });

  it("deletes the metadata when the cell is un-annotated", () => {
    const cell = fakeCell("fit();", { kind: "skip" });
    writeCellAnnotation(cell, undefined);
    expect(cell.metadata.has("kiln")).toBe(false);
    expect(cell.source).toBe("fit();");
  });

  it("writes nothing when the cell already says the same", () => {
    const cell = fakeCell("// @kiln skip\nplot();", { kind: "skip" });
    writeCellAnnotation(cell, { kind: "skip" });
    expect(cell.log).toEqual([]);
  });
});
