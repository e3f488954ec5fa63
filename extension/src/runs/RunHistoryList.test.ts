// @vitest-environment happy-dom
import type { PipelineRunRecord } from "@kiln/kernel-lib/spec";
import { MessageLoop } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import { describe, expect, it, vi } from "vitest";
import type { PipelineVersion } from "../api/runs-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { RunHistoryList } from "./RunHistoryList";
import { RunHistoryModel } from "./run-history-model";

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const render = (widget: Widget) => MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);
const version = (v: string): PipelineVersion => ({
  version: v,
  hash: `h${v}`,
  createdAt: "2025-01-01T00:00:00Z",
  notebookPath: "sum.ipynb",
});
const run = (runId: string, v: string, status: PipelineRunRecord["status"]): PipelineRunRecord => ({
  runId,
  pipeline: "sum",
  version: v,
  specHash: `h${v}`,
  status,
  params: {},
  startTime: 0,
  endTime: 1500,
  steps: {},
});

async function listOf(history: RunHistoryModel) {
  const onShowRun = vi.fn();
  const list = new RunHistoryList({ history, onShowRun });
  history.configure(settings);
  history.showPipeline("sum");
  await vi.waitFor(() => expect(history.state.status).not.toBe("loading"));
  render(list);
  const texts = (selector: string) =>
    [...list.node.querySelectorAll(selector)].map((n) => n.textContent);
  return { list, onShowRun, texts };
}

describe("RunHistoryList", () => {
  const loaded = () =>
    new RunHistoryModel({
      api: {
        listPipelineVersions: async () => [version("v1"), version("v2")],
        listPipelineRuns: async () => [run("r2", "v2", "failed"), run("r1", "v1", "succeeded")],
      },
    });

  it("lists the versions newest first, marking the one the notebook is now", async () => {
    const { list, texts } = await listOf(loaded());
    list.setContext({ currentVersion: "v1", analyzed: true, shownRunId: null });
    render(list);
    expect(texts(".jp-KilnRunHistory-version .jp-KilnRunHistory-versionName")).toEqual([
      "v2",
      "v1",
    ]);
    expect(
      list.node
        .querySelector(".jp-KilnRunHistory-version.jp-mod-current")
        ?.getAttribute("data-version"),
    ).toBe("v1");
    expect(texts(".jp-KilnRunHistory-current")).toEqual(["the notebook now"]);
  });

  it("says when the notebook as it is now is not compiled yet", async () => {
    const { list } = await listOf(loaded());
    list.setContext({ currentVersion: null, analyzed: true, shownRunId: null });
    render(list);
    expect(list.node.textContent).toContain("The notebook as it is now is not compiled yet");
    expect(list.node.querySelector(".jp-mod-current")).toBeNull();
  });

  it("lists the runs with their status and version, each to show on the graph", async () => {
    const { list, onShowRun, texts } = await listOf(loaded());
    list.setContext({ currentVersion: "v2", analyzed: true, shownRunId: "r2" });
    render(list);
    expect(texts(".jp-KilnRunHistory-run .jp-KilnRunHistory-status")).toEqual([
      "failed",
      "succeeded",
    ]);
    expect(texts(".jp-KilnRunHistory-run .jp-KilnRunHistory-versionName")).toEqual(["v2", "v1"]);
    expect(
      list.node.querySelector(".jp-KilnRunHistory-run.jp-mod-shown")?.getAttribute("data-run-id"),
    ).toBe("r2");
    list.node
      .querySelector<HTMLButtonElement>('[data-run-id="r1"] .jp-KilnRunHistory-show')!
      .click();
    expect(onShowRun).toHaveBeenCalledWith("r1");
  });

  it("says why the lists are missing", async () => {
    const refused = new KilnServerError(
      "bad-response",
      "This endpoint needs an API key.",
      "Set one in Settings → Kiln.",
      {
        serverUrl: settings.serverUrl,
      },
    );
    const { list } = await listOf(
      new RunHistoryModel({
        api: {
          listPipelineVersions: () => Promise.reject(refused),
          listPipelineRuns: async () => [],
        },
      }),
    );
    expect(list.node.querySelector(".jp-KilnRunHistory-problem")?.textContent).toBe(
      "This endpoint needs an API key.Set one in Settings → Kiln.",
    );
  });
});
