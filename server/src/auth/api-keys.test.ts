import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createApiKey,
  listApiKeys,
  loadApiKeys,
  revokeApiKey,
  scopeOf,
  watchApiKeys,
} from "./api-keys";

const dirs: string[] = [];
const keysFile = () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-keys-"));
  dirs.push(dir);
  return join(dir, "state", "keys.json");
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const bearer = (key: string) => `Bearer ${key}`;

describe("API keys", () => {
  it("stores only a hash, owner-only, and shows the key once", () => {
    const file = keysFile();
    const { key, stored } = createApiKey(file, "predict", "dashboard");
    expect(key).toMatch(/^kiln_predict_[\w-]{32}$/);
    const onDisk = readFileSync(file, "utf8");
    expect(onDisk).not.toContain(key);
    expect(onDisk).toContain(stored.sha256);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(listApiKeys(file)).toEqual([stored]);
  });

  it("grants each key its scope, and nothing to an unknown or malformed one", () => {
    const file = keysFile();
    const admin = createApiKey(file, "admin").key;
    const predict = createApiKey(file, "predict").key;
    const keys = loadApiKeys(file, {});
    expect(scopeOf(keys, bearer(admin))).toBe("admin");
    expect(scopeOf(keys, `bearer ${predict}`)).toBe("predict");
    expect(scopeOf(keys, undefined, predict)).toBe("predict");
    expect(scopeOf(keys, bearer(admin.slice(0, -1)))).toBeUndefined();
    expect(scopeOf(keys, "Basic abc")).toBeUndefined();
    expect(scopeOf(keys, undefined)).toBeUndefined();
  });

  it("accepts KILN_ADMIN_KEY / KILN_PREDICT_KEY without writing them anywhere", () => {
    const file = keysFile();
    const keys = loadApiKeys(file, {
      KILN_ADMIN_KEY: "admin-secret",
      KILN_PREDICT_KEY: "predict-secret",
    });
    expect(scopeOf(keys, bearer("admin-secret"))).toBe("admin");
    expect(scopeOf(keys, bearer("predict-secret"))).toBe("predict");
    expect(() => readFileSync(file)).toThrow();
  });

  it("takes keys created or revoked while the server runs into account", () => {
    const file = keysFile();
    const first = createApiKey(file, "predict");
    const keys = watchApiKeys(file, {}, [{ scope: "admin", key: "session-key" }]);
    expect(scopeOf(keys(), bearer(first.key))).toBe("predict");
    expect(scopeOf(keys(), bearer("session-key"))).toBe("admin");

    expect(revokeApiKey(file, first.stored.id)).toBe(true);
    utimesSync(file, new Date(), new Date(Date.now() + 5_000)); // a distinct mtime even on coarse clocks
    expect(scopeOf(keys(), bearer(first.key))).toBeUndefined();
    expect(revokeApiKey(file, first.stored.id)).toBe(false);
  });

  it("refuses an unknown scope and says which exist", () => {
    expect(() => createApiKey(keysFile(), "root" as "admin")).toThrow(/use one of admin, predict/);
  });
});
