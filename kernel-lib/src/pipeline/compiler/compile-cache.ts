// Compiling loads the TypeScript compiler API and analyses every cell (~250 ms); re-running an
// unchanged notebook should not pay that. Specs are cached by what they are computed from.
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { PIPELINE_SPEC_SCHEMA, type PipelineSpec } from "../../spec/pipeline-spec";
import { sha256 } from "./hashing";

/** Bump when the compiler's output for the same notebook changes. */
const COMPILER_REVISION = "1";

/** The cache key: notebook bytes, lockfile, pipeline name, and the compiler's revision. */
export function compileCacheKey(
  notebookText: string,
  lockfileHash: string,
  name: string | undefined,
): string {
  return sha256(
    JSON.stringify([
      PIPELINE_SPEC_SCHEMA,
      COMPILER_REVISION,
      notebookText,
      lockfileHash,
      name ?? null,
    ]),
  );
}

const entryPath = (stateDir: string, key: string) =>
  join(stateDir, "pipelines", "compiled", `${key}.json`);

/** The cached spec for `key`, or undefined (a missing or unreadable entry is a miss). */
export async function readCompiledSpec(
  stateDir: string,
  key: string,
): Promise<PipelineSpec | undefined> {
  try {
    const spec = JSON.parse(await fs.readFile(entryPath(stateDir, key), "utf8")) as PipelineSpec;
    return spec.schema === PIPELINE_SPEC_SCHEMA ? spec : undefined;
  } catch {
    return undefined;
  }
}

/** Stores a compiled spec atomically (temp file + rename), so readers never see half a file. */
export async function writeCompiledSpec(
  stateDir: string,
  key: string,
  spec: PipelineSpec,
): Promise<void> {
  const file = entryPath(stateDir, key);
  await fs.mkdir(join(file, ".."), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify(spec));
  await fs.rename(temp, file);
}
