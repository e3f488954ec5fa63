// @vitest-environment happy-dom
import { Widget } from "@lumino/widgets";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ServerStatusModel } from "../models/server-status-model";
import { checkKilnHealth } from "../request";
import { KilnServerError } from "../tokens";
import { ServerStatusLine } from "./ServerStatusLine";

vi.mock("../request", () => ({ checkKilnHealth: vi.fn() }));
const health = vi.mocked(checkKilnHealth);

const URL_ = "http://127.0.0.1:8700";
const unreachable = new KilnServerError(
  "unreachable",
  `Kiln server unreachable at ${URL_}`,
  "Start it with `npm start` or `kiln serve`, or change the server URL in Settings → Kiln.",
  { serverUrl: URL_ },
);

describe("ServerStatusLine", () => {
  let model: ServerStatusModel;
  let line: ServerStatusLine;
  beforeEach(() => {
    health.mockReset();
    model = new ServerStatusModel();
    line = new ServerStatusLine(model);
    Widget.attach(line, document.body);
  });
  afterEach(() => {
    line.dispose();
    model.dispose();
  });

  it("waits for the settings first", () => {
    expect(line.node.dataset.state).toBe("unconfigured");
    expect(line.node.textContent).toBe("Reading the Kiln settings…");
  });

  it("says the server is reachable at its URL", async () => {
    health.mockResolvedValue(undefined);
    model.configure({ serverUrl: URL_, apiKey: "" });
    await vi.waitFor(() => expect(line.node.dataset.state).toBe("reachable"));
    expect(line.node.textContent).toBe(`Kiln server reachable at ${URL_}`);
  });

  it("says how to start an unreachable server, with commands as code", async () => {
    health.mockRejectedValue(unreachable);
    model.configure({ serverUrl: URL_, apiKey: "" });
    await vi.waitFor(() => expect(line.node.dataset.state).toBe("unreachable"));
    expect(line.node.querySelector("p")?.textContent).toBe(
      `Kiln server unreachable at ${URL_}: start it with npm start or kiln serve, or change the server URL in Settings → Kiln.`,
    );
    expect([...line.node.querySelectorAll("code")].map((c) => c.textContent)).toEqual([
      "npm start",
      "kiln serve",
    ]);
  });

  it("checks again on a click of “Check again”", async () => {
    health.mockRejectedValueOnce(unreachable);
    model.configure({ serverUrl: URL_, apiKey: "" });
    await vi.waitFor(() => expect(line.node.dataset.state).toBe("unreachable"));
    health.mockResolvedValueOnce(undefined);
    line.node.querySelector<HTMLButtonElement>("button")!.click();
    await vi.waitFor(() => expect(line.node.dataset.state).toBe("reachable"));
    expect(line.node.querySelector("button")).toBeNull();
  });
});
