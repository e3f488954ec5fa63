import { Signal } from "@lumino/signaling";
import { describe, expect, it, vi } from "vitest";
import type { NotebookFollower } from "../notebook-tracking";
import { followNotebook, selectCells, type GraphNotebookPanel } from "./graph-notebook";

type FakeCell = { index: number };

/** A notebook panel with plain-code cells; `selected` is what JupyterLab would highlight. */
function fakePanel(sources: string[]) {
  const owner = {};
  const contentChanged = new Signal<object, void>(owner);
  const pathChanged = new Signal<object, string>(owner);
  const disposed = new Signal<object, void>(owner);
  const selected = new Set<FakeCell>();
  const panel = {
    id: "notebook-1",
    isDisposed: false,
    disposed,
    context: { path: "sum.ipynb", pathChanged, save: vi.fn(async () => undefined) },
    content: {
      model: {
        cells: sources.map((source) => ({
          type: "code",
          sharedModel: { getSource: () => source },
          getMetadata: () => undefined,
        })),
        contentChanged,
        toJSON: () => ({ cells: sources }),
      },
      widgets: sources.map((_, index) => ({ index })),
      mode: "edit" as "command" | "edit",
      activeCellIndex: 0,
      deselectAll: () => selected.clear(),
      select: (cell: FakeCell) => void selected.add(cell),
      scrollToCell: vi.fn(async (_cell: FakeCell, _align?: string) => undefined),
    },
  };
  return { panel, selected, contentChanged, pathChanged, disposed };
}

function fakeFollower() {
  return {
    showNotebook: vi.fn<NotebookFollower["showNotebook"]>(),
    clearNotebook: vi.fn<NotebookFollower["clearNotebook"]>(),
  };
}

describe("followNotebook", () => {
  it("shows the notebook at once and again on every edit and rename, until it closes", () => {
    const { panel, contentChanged, pathChanged, disposed } = fakePanel(["// @kiln step=a"]);
    const follower = fakeFollower();
    followNotebook(panel as unknown as GraphNotebookPanel, follower);
    expect(follower.showNotebook).toHaveBeenCalledTimes(1);
    const [path, cells, content] = follower.showNotebook.mock.calls[0]!;
    expect(path).toBe("sum.ipynb");
    expect(cells).toEqual([
      { index: 0, cellType: "code", source: "// @kiln step=a", metadata: { kiln: undefined } },
    ]);
    expect(content()).toEqual({ cells: ["// @kiln step=a"] });
    contentChanged.emit();
    panel.context.path = "renamed.ipynb";
    pathChanged.emit("renamed.ipynb");
    expect(follower.showNotebook.mock.calls.map((call) => call[0])).toEqual([
      "sum.ipynb",
      "sum.ipynb",
      "renamed.ipynb",
    ]);
    disposed.emit();
    expect(follower.clearNotebook).toHaveBeenCalledTimes(1);
    contentChanged.emit();
    expect(follower.showNotebook).toHaveBeenCalledTimes(3);
  });

  it("stops following when disposed", () => {
    const { panel, contentChanged } = fakePanel([""]);
    const follower = fakeFollower();
    followNotebook(panel as unknown as GraphNotebookPanel, follower).dispose();
    contentChanged.emit();
    expect(follower.showNotebook).toHaveBeenCalledTimes(1);
  });
});

describe("selectCells", () => {
  it("selects a step's cells in command mode, the first active and scrolled to", () => {
    const { panel, selected } = fakePanel(["a", "b", "c", "d"]);
    selectCells(panel.content, [1, 2]);
    expect(panel.content.mode).toBe("command");
    expect(panel.content.activeCellIndex).toBe(1);
    expect([...selected].map((cell) => cell.index)).toEqual([1, 2]);
    expect(panel.content.scrollToCell).toHaveBeenCalledWith({ index: 1 }, "start");
  });

  it("leaves out cells the notebook no longer has, and does nothing without any", () => {
    const { panel, selected } = fakePanel(["a", "b"]);
    selectCells(panel.content, [1, 5]);
    expect([...selected].map((cell) => cell.index)).toEqual([1]);
    selectCells(panel.content, [7]);
    expect(panel.content.activeCellIndex).toBe(1);
  });
});
