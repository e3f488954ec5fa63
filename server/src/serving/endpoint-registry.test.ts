import { describe, expect, it } from "vitest";
import { EndpointRegistry } from "./endpoint-registry";
import { fakeServedModel } from "../../../test/support/fake-served-model";

describe("EndpointRegistry", () => {
  it("swaps models, keeps the previous one and rolls back and forward", () => {
    const registry = new EndpointRegistry();
    const v1 = fakeServedModel({ version: "1" });
    const v2 = fakeServedModel({ version: "2" });
    expect(registry.get("churn")).toBeUndefined();
    registry.swap("churn", v1);
    expect(registry.swap("churn", v2)).toMatchObject({ current: v2, previous: v1 });
    expect(registry.get("churn")).toBe(v2);
    expect(registry.rollback("churn")).toMatchObject({ current: v1, previous: v2 });
    expect(registry.rollback("churn").current).toBe(v2);
    expect(registry.list().map((endpoint) => endpoint.name)).toEqual(["churn"]);
  });

  it("refuses a model built for another endpoint and a rollback with nothing to return to", () => {
    const registry = new EndpointRegistry();
    expect(() => registry.swap("churn", fakeServedModel({ endpoint: "fraud" }))).toThrow(
      /built for endpoint "fraud"/,
    );
    expect(() => registry.rollback("churn")).toThrow(/No serving endpoint "churn"/);
    registry.swap("churn", fakeServedModel());
    expect(() => registry.rollback("churn")).toThrow(/no previous model/);
  });
});
