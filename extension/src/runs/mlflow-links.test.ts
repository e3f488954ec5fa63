import { describe, expect, it } from "vitest";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { MlflowLinks, mlflowRunUrl } from "./mlflow-links";

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };

describe("mlflowRunUrl", () => {
  it("is the run's page in MLflow's UI", () => {
    expect(mlflowRunUrl("http://127.0.0.1:5000/", "3", "a1b2")).toBe(
      "http://127.0.0.1:5000/#/experiments/3/runs/a1b2",
    );
  });
});

describe("MlflowLinks", () => {
  it("links runs once the server has said where MLflow is", async () => {
    const links = new MlflowLinks({ getInfo: async () => ({ mlflowUrl: "http://mlflow:5000" }) });
    expect(links.runUrl("3", "a1")).toBeNull();
    await links.configure(settings);
    expect(links.runUrl("3", "a1")).toBe("http://mlflow:5000/#/experiments/3/runs/a1");
    expect(links.runUrl(undefined, "a1")).toBeNull();
    expect(links.runUrl("3", undefined)).toBeNull();
    expect(links.problem).toBeNull();
  });

  it("says why there are no links", async () => {
    const untracked = new MlflowLinks({ getInfo: async () => ({ mlflowUrl: null }) });
    await untracked.configure(settings);
    expect(untracked.problem).toBe("The Kiln server tracks runs in no MLflow server.");

    const refused = new KilnServerError("bad-response", "No route GET /api/info.", "Upgrade.", {
      serverUrl: settings.serverUrl,
    });
    const older = new MlflowLinks({ getInfo: () => Promise.reject(refused) });
    await older.configure(settings);
    expect(older.problem).toBe("No MLflow links: No route GET /api/info.");
    expect(older.runUrl("3", "a1")).toBeNull();
  });
});
