import { describe, expect, it } from "vitest";
import { ENDPOINT_NAME, endpointNameFor, endpointNameProblem } from "./endpoint-name";

describe("endpointNameFor", () => {
  it.each([
    ["drill-anomaly", "drill-anomaly"],
    ["Drill Anomaly", "drill-anomaly"],
    ["churn/model.v2", "churn-model-v2"],
    ["__private", "private"],
    ["trailing--", "trailing"],
    ["Überwachung", "berwachung"],
    ["!!!", "model"],
    ["x".repeat(80), "x".repeat(63)],
  ])("makes %j into the valid endpoint name %j", (model, endpoint) => {
    expect(endpointNameFor(model)).toBe(endpoint);
    expect(endpoint).toMatch(ENDPOINT_NAME);
  });
});

describe("endpointNameProblem", () => {
  it.each(["drill", "drill-anomaly_2", "0", "a".repeat(63)])("accepts %j", (name) => {
    expect(endpointNameProblem(name)).toBeNull();
  });

  it.each(["Drill", "-drill", "_drill", "dr ill", "drill.v2", "a".repeat(64)])(
    "says what is wrong with %j, as the server would",
    (name) => {
      expect(endpointNameProblem(name)).toMatch(/is not a valid endpoint name: use lowercase/);
    },
  );

  it("asks for a name when there is none", () => {
    expect(endpointNameProblem("")).toMatch(/^Give the endpoint a name/);
  });
});
