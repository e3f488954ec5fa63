/**
 * A `tf.io.IOHandler` that reads and writes the layers-model format on the local disk
 * (`model.json` + `weights.bin`), with no TensorFlow runtime dependency of its own.
 *
 * tfjs-node registers a `file://` handler, plain `@tensorflow/tfjs` (our WebAssembly fallback)
 * does not, so Kiln passes this handler instead of a URL and the same saved model loads on both
 * backends. The files it writes are byte-compatible with tfjs-node's `file://` handler.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { io } from "@tensorflow/tfjs";

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

/** A saved model could not be read from (or written to) disk; says which file and why. */
export class ModelFileError extends Error {
  override readonly name = "ModelFileError";
  constructor(
    readonly file: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot use saved model file ${file}: ${problem}`, options);
  }
}

/**
 * Returns an IOHandler for the model at `location`: a directory holding `model.json`, the path of
 * a `model.json` file, or a `file://` URL of either. Saving always writes `model.json` and
 * `weights.bin` into the directory (created if needed).
 *
 * @example
 * ```ts
 * const { tf } = await loadTensorflow();
 * await model.save(fileModelHandler("/tmp/my-model"));
 * const again = await tf.loadLayersModel(fileModelHandler("/tmp/my-model/model.json"));
 * ```
 */
export function fileModelHandler(location: string): io.IOHandler {
  const path = location.startsWith("file://") ? fileURLToPath(location) : resolve(location);
  const modelJsonPath = basename(path) === MODEL_JSON ? path : join(path, MODEL_JSON);
  return {
    load: () => loadModel(modelJsonPath),
    save: (artifacts) => saveModel(dirname(modelJsonPath), artifacts),
  };
}

async function loadModel(modelJsonPath: string): Promise<io.ModelArtifacts> {
  const modelJson = parseModelJson(modelJsonPath, await readOrThrow(modelJsonPath));
  const artifacts: io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    trainingConfig: modelJson.trainingConfig,
    signature: modelJson.signature,
    userDefinedMetadata: modelJson.userDefinedMetadata,
    modelInitializer: modelJson.modelInitializer,
  };
  const manifest = modelJson.weightsManifest ?? [];
  // Weight groups are concatenated in manifest order: that is the order weightSpecs describe.
  const specs = manifest.flatMap((group) => group.weights);
  const dir = dirname(modelJsonPath);
  const buffers = await Promise.all(
    manifest.flatMap((group) => group.paths.map((file) => readOrThrow(join(dir, file)))),
  );
  if (specs.length > 0) {
    artifacts.weightSpecs = specs;
    artifacts.weightData = toArrayBuffer(Buffer.concat(buffers));
  }
  return artifacts;
}

async function saveModel(dir: string, artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    // Same limitation as tfjs-node's handler; only graph models converted offline use it.
    throw new ModelFileError(join(dir, MODEL_JSON), "binary model topologies cannot be saved");
  }
  const weights = artifacts.weightData ?? [];
  const weightBytes = Buffer.concat(
    (Array.isArray(weights) ? weights : [weights]).map((buffer) => new Uint8Array(buffer)),
  );
  const modelJson: io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    ...(artifacts.trainingConfig != null && { trainingConfig: artifacts.trainingConfig }),
    ...(artifacts.signature != null && { signature: artifacts.signature }),
    ...(artifacts.userDefinedMetadata != null && {
      userDefinedMetadata: artifacts.userDefinedMetadata,
    }),
  };
  await mkdir(dir, { recursive: true });
  const json = JSON.stringify(modelJson);
  // Weights first: a model.json on disk then always has its weights next to it.
  await writeFile(join(dir, WEIGHTS_BIN), weightBytes);
  await writeFile(join(dir, MODEL_JSON), json, "utf8");
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: "JSON",
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(modelJson.modelTopology), "utf8"),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? []), "utf8"),
      weightDataBytes: weightBytes.byteLength,
    },
  };
}

async function readOrThrow(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === "ENOENT" ? "it does not exist" : `read failed (${code ?? error})`;
    throw new ModelFileError(file, problem, { cause: error });
  }
}

function parseModelJson(file: string, bytes: Buffer): io.ModelJSON {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new ModelFileError(file, "it is not valid JSON", { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || !("modelTopology" in parsed)) {
    throw new ModelFileError(file, "it has no modelTopology (is it a TensorFlow.js model.json?)");
  }
  return parsed as io.ModelJSON;
}

// Buffer.concat may return a view into Node's shared pool; tfjs needs an ArrayBuffer of its own.
function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}
