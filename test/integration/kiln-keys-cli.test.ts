// `kiln keys`: a key is shown once when created; afterwards only its id and scope are listed.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const stateDir = mkdtempSync(join(tmpdir(), "kiln-keys-cli-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

async function kiln(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const result = await promisify(execFile)(
      process.execPath,
      [join(root, "server", "dist", "cli.js"), ...args],
      {
        env: { ...process.env, KILN_STATE_DIR: stateDir },
      },
    );
    return { code: 0, ...result };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

describe("kiln keys", () => {
  it("creates a key shown once, lists it without the secret, and revokes it", async () => {
    const created = await kiln("keys", "create", "--scope", "predict", "--label", "dashboard");
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^kiln_predict_/);
    expect(created.stderr).toMatch(/Created predict key (\w+) \(dashboard\)/);
    const id = /Created predict key (\w+)/.exec(created.stderr)![1]!;
    expect(readFileSync(join(stateDir, "keys.json"), "utf8")).not.toContain(key);

    const listed = await kiln("keys", "list");
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+predict\\s+\\S+\\s+dashboard$`, "m"));
    expect(listed.stdout).not.toContain(key);

    expect((await kiln("keys", "revoke", id)).stdout).toContain(`Revoked key ${id}`);
    expect((await kiln("keys", "list")).stdout).toContain("No keys yet");
  });

  it("explains a bad scope or an unknown id", async () => {
    const badScope = await kiln("keys", "create", "--scope", "root");
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toMatch(/--scope must be one of admin, predict/);
    const unknown = await kiln("keys", "revoke", "nope");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No key with id "nope"/);
  });
});
