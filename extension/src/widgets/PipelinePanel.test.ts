// @vitest-environment happy-dom
import { Widget } from "@lumino/widgets";
import { describe, expect, it, vi } from "vitest";
import { PipelinePanelModel } from "../models/pipeline-panel-model";
import { ServerStatusModel } from "../models/server-status-model";
import { PIPELINE_PANEL_ID } from "../tokens";
import { PipelinePanel } from "./PipelinePanel";

vi.mock("../request", () => ({ checkKilnHealth: vi.fn() }));

describe("PipelinePanel", () => {
  it("is the Kiln sidebar panel: a title, the server status, then the notebook's cells", () => {
    const server = new ServerStatusModel();
    const panel = new PipelinePanel({ pipeline: new PipelinePanelModel(), server });
    Widget.attach(panel, document.body);
    expect(panel.id).toBe(PIPELINE_PANEL_ID);
    expect(panel.title.caption).toBe("Kiln pipeline");
    const kilnClassOf = (node: Element) => [...node.classList].find((c) => c.startsWith("jp-Kiln"));
    expect([...panel.node.children].map(kilnClassOf)).toEqual([
      "jp-KilnPanel-title",
      "jp-KilnServerStatus",
      "jp-KilnCellList",
    ]);
    panel.dispose();
    server.dispose();
  });
});
