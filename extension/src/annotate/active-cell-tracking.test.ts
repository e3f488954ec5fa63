import { Signal } from "@lumino/signaling";
import { describe, expect, it } from "vitest";
import type { FormTarget } from "./annotation-form-model";
import {
  activeTargetOf,
  followActiveCell,
  type ActiveCellModelLike,
  type ActiveCellPanelLike,
  type ActiveCellTrackerLike,
} from "./active-cell-tracking";

function cellModel(id: string, type: string, source: string): ActiveCellModelLike {
  return {
    id,
    type,
    sharedModel: { getSource: () => source, setSource: () => undefined, transact: (f) => f() },
    getMetadata: () => undefined,
    setMetadata: () => undefined,
    deleteMetadata: () => undefined,
  };
}

function fakePanel(cells: ActiveCellModelLike[], active: number) {
  const contentChanged = new Signal<unknown, void>({});
  const content = {
    model: { cells, contentChanged, toJSON: () => ({}) },
    activeCellIndex: active,
    get activeCell() {
      const model = cells[content.activeCellIndex];
      return model ? { model } : null;
    },
  };
  return { content, contentChanged } satisfies ActiveCellPanelLike & { contentChanged: unknown };
}

function fakeTracker(panel: ActiveCellPanelLike | null) {
  const tracker = {
    currentWidget: panel,
    currentChanged: new Signal<unknown, unknown>({}),
    activeCellChanged: new Signal<unknown, unknown>({}),
  } satisfies ActiveCellTrackerLike;
  return tracker;
}

describe("activeTargetOf", () => {
  it("targets the active code cell with the notebook's cells around it", () => {
    const panel = fakePanel(
      [cellModel("a", "markdown", "# T"), cellModel("b", "code", "// @kiln step=x")],
      1,
    );
    const target = activeTargetOf(panel);
    expect(target).toMatchObject({ id: "b", index: 1 });
    expect(target?.cells.map((c) => c.cellType)).toEqual(["markdown", "code"]);
  });

  it("has no target for a markdown cell or without a notebook", () => {
    expect(activeTargetOf(fakePanel([cellModel("a", "markdown", "# T")], 0))).toBeNull();
    expect(activeTargetOf(null)).toBeNull();
  });
});

describe("followActiveCell", () => {
  it("retargets the form when the active cell, the notebook or its content changes, until disposed", () => {
    const panel = fakePanel([cellModel("a", "code", "x"), cellModel("b", "code", "y")], 0);
    const tracker = fakeTracker(panel);
    const targets: (string | null)[] = [];
    const following = followActiveCell(tracker, {
      setTarget: (target: FormTarget | null) => targets.push(target?.id ?? null),
    });
    panel.content.activeCellIndex = 1;
    tracker.activeCellChanged.emit(null);
    panel.contentChanged.emit();
    tracker.currentWidget = null;
    tracker.currentChanged.emit(null);
    expect(targets).toEqual(["a", "b", "b", null]);
    following.dispose();
    panel.contentChanged.emit();
    tracker.activeCellChanged.emit(null);
    expect(targets).toHaveLength(4);
  });
});
