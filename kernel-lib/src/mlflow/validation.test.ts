import { describe, expect, it } from "vitest";
import { MlflowValidationError } from "./errors";
import {
  assertValidAlias,
  assertValidKey,
  assertValidModelName,
  normalizeArtifactPath,
  validateDatasetInput,
  validateMetrics,
  validateParams,
  validateTags,
} from "./validation";

describe("assertValidKey", () => {
  const cases: Array<[string, boolean]> = [
    ["loss", true],
    ["train/loss", true],
    ["ok key:1.5-x_y", true],
    ["größe", true],
    ["a".repeat(250), true],
    ["a".repeat(251), false],
    ["", false],
    ["a$b", false],
    ["../etc", false],
    ["a/../b", false],
    ["..", false],
    [".", false],
    ["/abs", false],
    ["a/", false],
    ["a//b", false],
    ["a/./b", false],
    ["a..b", true],
  ];
  for (const [key, valid] of cases) {
    it(`${valid ? "accepts" : "rejects"} ${JSON.stringify(key.slice(0, 20))}`, () => {
      const check = () => assertValidKey("metric key", key);
      if (valid) expect(check).not.toThrow();
      else expect(check).toThrow(MlflowValidationError);
    });
  }
});

describe("validateMetrics", () => {
  it("rejects NaN and ±Infinity with a message that says what to do", () => {
    for (const value of [NaN, Infinity, -Infinity]) {
      expect(() => validateMetrics({ ok: 1, bad: value }, 0, 1)).toThrow(/finite number/);
    }
  });
  it("rejects non-integer steps and non-number values", () => {
    expect(() => validateMetrics({ loss: 1 }, 1.5, 1)).toThrow(MlflowValidationError);
    expect(() => validateMetrics({ loss: "1" }, 0, 1)).toThrow(MlflowValidationError);
  });
  it("stamps every metric with the call's step and timestamp", () => {
    expect(validateMetrics({ a: 1, b: 2 }, 3, 42)).toEqual([
      { key: "a", value: 1, step: 3, timestamp: 42 },
      { key: "b", value: 2, step: 3, timestamp: 42 },
    ]);
  });
});

describe("validateParams", () => {
  it("stringifies numbers and booleans", () => {
    expect(validateParams({ lr: 0.01, deep: true, name: "x" })).toEqual([
      { key: "lr", value: "0.01" },
      { key: "deep", value: "true" },
      { key: "name", value: "x" },
    ]);
  });
  it("rejects values over 6000 chars and non-scalar values", () => {
    expect(() => validateParams({ p: "x".repeat(6000) })).not.toThrow();
    expect(() => validateParams({ p: "x".repeat(6001) })).toThrow(/too long/);
    expect(() => validateParams({ p: { a: 1 } })).toThrow(/JSON.stringify/);
  });
  it("rejects changing a value already logged, and accepts re-logging the same value", () => {
    const logged = new Map([["lr", "0.1"]]);
    expect(() => validateParams({ lr: 0.1 }, logged)).not.toThrow();
    expect(() => validateParams({ lr: 0.2 }, logged)).toThrow(/cannot change/);
  });
});

describe("validateTags", () => {
  it("rejects values over 8000 chars", () => {
    expect(() => validateTags({ t: "x".repeat(8000) })).not.toThrow();
    expect(() => validateTags({ t: "x".repeat(8001) })).toThrow(MlflowValidationError);
  });
});

describe("names and aliases", () => {
  it("checks aliases as MLflow does", () => {
    for (const ok of ["champion", "challenger_2", "a-b"])
      expect(() => assertValidAlias(ok)).not.toThrow();
    for (const bad of ["latest", "LATEST", "v1", "V12", "", "has space", "a/b"]) {
      expect(() => assertValidAlias(bad)).toThrow(MlflowValidationError);
    }
  });
  it("checks model names", () => {
    expect(() => assertValidModelName("churn-model")).not.toThrow();
    for (const bad of ["", " ", "a/b", "a:b", ".."]) {
      expect(() => assertValidModelName(bad)).toThrow(MlflowValidationError);
    }
  });
});

describe("normalizeArtifactPath", () => {
  it("normalises harmless forms", () => {
    expect(normalizeArtifactPath("./plots//roc.png")).toBe("plots/roc.png");
    expect(normalizeArtifactPath("", { allowRoot: true })).toBe("");
  });
  it("rejects traversal and absolute paths", () => {
    for (const bad of ["../x", "a/../../x", "/etc/passwd", "C:/x", "a\\b", ""]) {
      expect(() => normalizeArtifactPath(bad)).toThrow(MlflowValidationError);
    }
  });
});

describe("validateDatasetInput", () => {
  it("requires name, digest, source type and source, within MLflow's sizes", () => {
    const dataset = { name: "iris", digest: "abc", sourceType: "local", source: "{}" };
    expect(() => validateDatasetInput({ dataset })).not.toThrow();
    expect(() => validateDatasetInput({ dataset: { ...dataset, name: "" } })).toThrow(/name/);
    expect(() => validateDatasetInput({ dataset: { ...dataset, digest: "x".repeat(37) } })).toThrow(
      /digest/,
    );
  });
});
