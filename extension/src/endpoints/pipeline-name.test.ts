import { describe, expect, it } from "vitest";
import type { NotebookAnalysis } from "../api/pipelines-api";
import { pipelineNameOf } from "./pipeline-name";

const analysis = (name: string | null): NotebookAnalysis => ({
  spec: name === null ? null : ({ name } as NotebookAnalysis["spec"]),
  version: null,
  problems: [],
});

describe("pipelineNameOf", () => {
  it("is null without a notebook", () => {
    expect(pipelineNameOf({ status: "no-notebook" })).toBeNull();
  });

  it("is the notebook's file name without .ipynb until the server has analyzed it", () => {
    expect(pipelineNameOf({ status: "analyzing", path: "work/churn.ipynb", previous: null })).toBe(
      "churn",
    );
  });

  it("is the compiled spec's name once there is one", () => {
    const analyzed = { status: "analyzed", path: "a.ipynb", analysis: analysis("custom") } as const;
    expect(pipelineNameOf(analyzed)).toBe("custom");
    expect(
      pipelineNameOf({ status: "analyzing", path: "a.ipynb", previous: analysis("custom") }),
    ).toBe("custom");
  });

  it("is the file name when the notebook does not compile, or the server did not answer", () => {
    expect(
      pipelineNameOf({ status: "analyzed", path: "Drill.IPYNB", analysis: analysis(null) }),
    ).toBe("Drill");
    expect(pipelineNameOf({ status: "failed", path: "x/y/drill.ipynb", error: {} as never })).toBe(
      "drill",
    );
  });
});
