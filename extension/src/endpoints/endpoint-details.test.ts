import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  getModelMetadata,
  getModelReadiness,
  listEndpoints,
  type EndpointState,
  type ServedEndpoint,
} from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { loadEndpointDetails } from "./endpoint-details";

vi.mock("../api/endpoints-api", () => ({
  getModelMetadata: vi.fn(),
  getModelReadiness: vi.fn(),
  listEndpoints: vi.fn(),
}));
const metadata = vi.mocked(getModelMetadata);
const readiness = vi.mocked(getModelReadiness);
const listed = vi.mocked(listEndpoints);

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700/", apiKey: "admin-key" };
const promoted: EndpointState = {
  name: "drill",
  current: { model: "drill-anomaly", version: "3", promotedAt: "2025-06-01T10:00:00Z" },
  pipeline: { name: "drill", version: "v2", runId: "run-1" },
};
const served: ServedEndpoint = {
  ...promoted,
  serving: true,
  inputs: [{ name: "vibration", datatype: "FP32", required: true, min: 0, max: 10 }],
  fallback: null,
};
const notServed = new KilnServerError(
  "bad-response",
  'No model "drill" is served. No model is served yet.',
  "Promote a model to this endpoint from the Models section of the Kiln panel.",
  { serverUrl: settings.serverUrl },
);

describe("loadEndpointDetails", () => {
  beforeEach(() => {
    metadata.mockResolvedValue({
      name: "drill",
      versions: ["3"],
      inputs: [{ name: "vibration", datatype: "FP32", shape: [-1] }],
      outputs: [],
    });
    readiness.mockResolvedValue({ ready: true, version: "3" });
    listed.mockResolvedValue([served]);
  });

  it("gathers the URLs, status, version, pipeline binding and a curl built from the metadata", async () => {
    const details = await loadEndpointDetails(settings, promoted);
    expect(details).toEqual({
      name: "drill",
      model: "drill-anomaly",
      version: "3",
      pipeline: { name: "drill", version: "v2", runId: "run-1" },
      urls: {
        infer: "http://127.0.0.1:8700/v2/models/drill/infer",
        invocations: "http://127.0.0.1:8700/endpoints/drill/invocations",
      },
      status: { ready: true },
      curl: expect.stringContaining(
        `-d '{"inputs":[{"name":"vibration","shape":[1],"datatype":"FP32","data":[5]}]}'`,
      ) as string,
    });
  });

  it("never shows the admin key it asked with", async () => {
    const details = await loadEndpointDetails(settings, promoted);
    expect(JSON.stringify(details)).not.toContain("admin-key");
  });

  it("says what the server said when the endpoint is not ready", async () => {
    readiness.mockRejectedValue(notServed);
    const details = await loadEndpointDetails(settings, promoted);
    expect(details.status).toEqual({
      ready: false,
      problem: notServed.message,
      fix: notServed.fix,
    });
    expect(details.version).toBe("3");
  });

  it("builds the curl from the endpoint list when the metadata cannot be read", async () => {
    metadata.mockRejectedValue(notServed);
    const details = await loadEndpointDetails(settings, promoted);
    expect(details.curl).toContain('"name":"vibration","shape":[1],"datatype":"FP32","data":[5]');
  });

  it("has no curl when the model's inputs cannot be read at all", async () => {
    metadata.mockRejectedValue(notServed);
    listed.mockRejectedValue(notServed);
    expect((await loadEndpointDetails(settings, promoted)).curl).toBeNull();
  });

  it("says there is no pipeline binding for a model logged outside a pipeline", async () => {
    const unbound = { ...promoted, pipeline: undefined };
    expect((await loadEndpointDetails(settings, unbound)).pipeline).toBeNull();
  });
});
