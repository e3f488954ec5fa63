import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadApiKeys, scopeOf } from "./api-keys";

const dirs: string[] = [];
const keysFile = () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-keys-"));
  dirs.push(dir);
  return join(dir, "state", "keys.json");
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("loadApiKeys", () => {
  it("generates distinct admin and predict keys once, stored owner-only, and reuses them", () => {
    const file = keysFile();
    const first = loadApiKeys(file, {});
    expect(first.admin).not.toBe(first.predict);
    expect(first.admin).toMatch(/^kiln_[\w-]{32}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadApiKeys(file, {})).toEqual(first);
  });

  it("takes keys from KILN_ADMIN_KEY / KILN_PREDICT_KEY and never writes them to disk", () => {
    const file = keysFile();
    const keys = loadApiKeys(file, {
      KILN_ADMIN_KEY: "admin-secret",
      KILN_PREDICT_KEY: "predict-secret",
    });
    expect(keys).toEqual({ admin: "admin-secret", predict: "predict-secret" });
    expect(() => readFileSync(file)).toThrow();

    loadApiKeys(file, { KILN_ADMIN_KEY: "admin-secret" });
    expect(readFileSync(file, "utf8")).not.toContain("admin-secret");
  });
});

describe("scopeOf", () => {
  const keys = { admin: "a".repeat(20), predict: "p".repeat(20) };
  it.each([
    [`Bearer ${"a".repeat(20)}`, undefined, "admin"],
    [`bearer ${"p".repeat(20)}`, undefined, "predict"],
    [undefined, "a".repeat(20), "admin"],
    [`Bearer ${"a".repeat(19)}`, undefined, undefined],
    ["Basic xyz", undefined, undefined],
    [undefined, undefined, undefined],
  ])("authorization %s, x-kiln-key %s → %s", (authorization, xKey, scope) => {
    expect(scopeOf(keys, authorization, xKey)).toBe(scope);
  });
});
