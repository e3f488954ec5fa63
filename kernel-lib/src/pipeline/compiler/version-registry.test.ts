import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PipelineSpec } from "../../spec/pipeline-spec";
import {
  listPipelines,
  PipelineRegistryError,
  readPipelineSpec,
  registerPipelineVersion,
  registryPath,
} from "./version-registry";

function spec(name: string, hash: string): PipelineSpec {
  return {
    schema: "kiln.pipeline/v1",
    name,
    notebook: { path: `notebooks/${name}.ipynb`, hash: "n" },
    shared: { cells: [], code: "", names: [] },
    transforms: { cells: [], code: "", names: [] },
    params: [],
    steps: [],
    edges: [],
    lockfileHash: "l",
    hash,
  };
}

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "kiln-registry-"));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe("registerPipelineVersion", () => {
  it("counts versions per name and keeps a known hash's version", async () => {
    const clock = () => new Date("2025-01-02T03:04:05.000Z");
    expect(await registerPipelineVersion(stateDir, spec("churn", "h1"), clock)).toEqual({
      version: "v1",
      created: true,
    });
    expect(await registerPipelineVersion(stateDir, spec("churn", "h2"), clock)).toEqual({
      version: "v2",
      created: true,
    });
    expect(await registerPipelineVersion(stateDir, spec("churn", "h1"), clock)).toEqual({
      version: "v1",
      created: false,
    });
    expect(await registerPipelineVersion(stateDir, spec("iris", "h9"), clock)).toEqual({
      version: "v1",
      created: true,
    });

    expect(await listPipelines(stateDir)).toEqual([
      {
        name: "churn",
        versions: [
          {
            version: "v1",
            hash: "h1",
            createdAt: "2025-01-02T03:04:05.000Z",
            notebookPath: "notebooks/churn.ipynb",
          },
          {
            version: "v2",
            hash: "h2",
            createdAt: "2025-01-02T03:04:05.000Z",
            notebookPath: "notebooks/churn.ipynb",
          },
        ],
      },
      {
        name: "iris",
        versions: [
          {
            version: "v1",
            hash: "h9",
            createdAt: "2025-01-02T03:04:05.000Z",
            notebookPath: "notebooks/iris.ipynb",
          },
        ],
      },
    ]);
    expect((await readPipelineSpec(stateDir, "churn", "v2")).hash).toBe("h2");
    expect((await readPipelineSpec(stateDir, "churn")).hash).toBe("h2");
  });

  it("hands out distinct counters to concurrent compiles and leaves no temp files", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => registerPipelineVersion(stateDir, spec("p", `h${i}`))),
    );
    expect(new Set(results.map((r) => r.version)).size).toBe(8);
    const files = await readdir(join(stateDir, "pipelines"));
    expect(files.filter((f) => f.endsWith(".tmp") || f.endsWith(".lock"))).toEqual([]);
  });

  it("refuses to overwrite a corrupt registry", async () => {
    await mkdir(join(stateDir, "pipelines"), { recursive: true });
    await writeFile(registryPath(stateDir), "{ not json");
    await expect(registerPipelineVersion(stateDir, spec("p", "h"))).rejects.toThrow(
      PipelineRegistryError,
    );
    expect(await readFile(registryPath(stateDir), "utf8")).toBe("{ not json");
  });
});

describe("listPipelines and readPipelineSpec", () => {
  it("lists nothing for a fresh state directory", async () => {
    expect(await listPipelines(join(stateDir, "missing"))).toEqual([]);
  });

  it("says which versions exist when one is missing", async () => {
    await registerPipelineVersion(stateDir, spec("p", "h"));
    await expect(readPipelineSpec(stateDir, "p", "v7")).rejects.toThrow(
      /has no version v7 .*versions: v1/,
    );
  });
});
