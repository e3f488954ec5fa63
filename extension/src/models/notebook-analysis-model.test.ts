import { describe, expect, it, vi } from "vitest";
import type { NotebookAnalysis } from "../api/pipelines-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { NotebookAnalysisModel } from "./notebook-analysis-model";

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const analysis = (steps: string[]): NotebookAnalysis => ({
  spec: { steps: steps.map((name) => ({ name })) } as unknown as NotebookAnalysis["spec"],
  version: null,
  problems: [],
});
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe("NotebookAnalysisModel", () => {
  it("analyzes a notebook as soon as it becomes current, with the content it has then", async () => {
    const analyze = vi.fn(async (_s: KilnSettings, _p: string, content: unknown) =>
      analysis([String(content)]),
    );
    const model = new NotebookAnalysisModel({ analyze });
    model.configure(settings);
    model.showNotebook("a.ipynb", [], () => "first");
    expect(model.state).toMatchObject({ status: "analyzing", path: "a.ipynb", previous: null });
    await tick(5);
    expect(analyze).toHaveBeenCalledWith(settings, "a.ipynb", "first", expect.any(AbortSignal));
    expect(model.state).toEqual({
      status: "analyzed",
      path: "a.ipynb",
      analysis: analysis(["first"]),
    });
  });

  it("waits for a pause in editing, then sends the latest content once", async () => {
    const analyze = vi.fn(async (_s: KilnSettings, _p: string, content: unknown) =>
      analysis([String(content)]),
    );
    const model = new NotebookAnalysisModel({ analyze, debounceMs: 30 });
    model.configure(settings);
    model.showNotebook("a.ipynb", [], () => "v0");
    await tick(5);
    let content = "v1";
    for (const next of ["v1", "v2", "v3"]) {
      content = next;
      model.showNotebook("a.ipynb", [], () => content);
      await tick(5);
    }
    expect(model.state).toMatchObject({ status: "analyzed", analysis: analysis(["v0"]) });
    await tick(60);
    expect(analyze.mock.calls.map((call) => call[2])).toEqual(["v0", "v3"]);
    expect(model.state).toMatchObject({ status: "analyzed", analysis: analysis(["v3"]) });
  });

  it("keeps showing the previous result while a new one is on its way", async () => {
    let answer: (value: NotebookAnalysis) => void = () => undefined;
    const analyze = vi
      .fn<typeof import("../api/pipelines-api").analyzeNotebook>()
      .mockResolvedValueOnce(analysis(["old"]))
      .mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const model = new NotebookAnalysisModel({ analyze, debounceMs: 0 });
    model.configure(settings);
    model.showNotebook("a.ipynb", [], () => 1);
    await tick(5);
    model.showNotebook("a.ipynb", [], () => 2);
    await tick(5);
    expect(model.state).toMatchObject({ status: "analyzing", previous: analysis(["old"]) });
    answer(analysis(["new"]));
    await tick();
    expect(model.state).toMatchObject({ status: "analyzed", analysis: analysis(["new"]) });
  });

  it("drops an answer that arrives after another notebook became current", async () => {
    let answerFirst: (value: NotebookAnalysis) => void = () => undefined;
    const analyze = vi
      .fn<typeof import("../api/pipelines-api").analyzeNotebook>()
      .mockImplementationOnce(() => new Promise((resolve) => (answerFirst = resolve)))
      .mockResolvedValueOnce(analysis(["b"]));
    const model = new NotebookAnalysisModel({ analyze });
    model.configure(settings);
    model.showNotebook("a.ipynb", [], () => "a");
    await tick(5);
    model.showNotebook("b.ipynb", [], () => "b");
    await tick(5);
    answerFirst(analysis(["a"]));
    await tick();
    expect(model.state).toMatchObject({
      status: "analyzed",
      path: "b.ipynb",
      analysis: analysis(["b"]),
    });
  });

  it("says why when the server cannot analyze, instead of spinning", async () => {
    const refused = new KilnServerError("bad-response", "HTTP 403", "Set an API key.", {
      serverUrl: settings.serverUrl,
    });
    const model = new NotebookAnalysisModel({ analyze: () => Promise.reject(refused) });
    model.configure(settings);
    model.showNotebook("a.ipynb", [], () => ({}));
    await tick(5);
    expect(model.state).toEqual({ status: "failed", path: "a.ipynb", error: refused });
  });

  it("waits for settings before asking any server, and forgets a closed notebook", async () => {
    const analyze = vi.fn(async () => analysis(["x"]));
    const model = new NotebookAnalysisModel({ analyze });
    model.showNotebook("a.ipynb", [], () => ({}));
    await tick(5);
    expect(analyze).not.toHaveBeenCalled();
    model.configure(settings);
    await tick(5);
    expect(analyze).toHaveBeenCalledTimes(1);
    model.clearNotebook();
    expect(model.state).toEqual({ status: "no-notebook" });
  });
});
