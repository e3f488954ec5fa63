/**
 * The values that travel as files next to `value.json`: typed arrays and ArrayBuffers (raw
 * bytes + dtype), tf.Tensors (raw bytes + dtype + shape), Arrow tables (Arrow IPC file format)
 * and tfjs LayersModels (tfjs save format). Detection is by shape, not `instanceof`, because
 * the step's code may load its own copy of tfjs or apache-arrow; the packages themselves are
 * required only when such a value is actually met, so a JSON-only step never loads them.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type * as Arrow from "apache-arrow";
import type * as Tfjs from "@tensorflow/tfjs";
import { loadTensorflow } from "../../tf/backend";
import { fileModelHandler } from "../../tf/file-io";

// Heavy packages are required on first use (kernel-lib is CommonJS, so `require` is in scope).
const nodeRequire: NodeJS.Require = require;

/** Allocates side files for one value and remembers them for `value.json`. */
export interface PartWriter {
  readonly dir: string;
  /** Returns a fresh relative path `part-<n><suffix>` and records it when `record` is true. */
  allocate(suffix: string): string;
  /** Records a relative file path written under `dir`. */
  record(relativePath: string): void;
}

/** Resolves a relative side-file path to where it is stored. */
export type FileResolver = (relativePath: string) => string;

/** The JSON tag of a binary value inside `value.json`. */
export type BinaryTag =
  | { $kiln: "typed-array"; dtype: TypedArrayDtype; file: string }
  | { $kiln: "tensor"; dtype: "float32" | "int32" | "bool"; shape: number[]; file: string }
  | { $kiln: "tensor"; dtype: "string"; shape: number[]; values: string[] }
  | { $kiln: "arrow-table"; file: string }
  | { $kiln: "layers-model"; dir: string; files: string[] };

/** A value found where a binary value was expected but that cannot be stored. */
export class UnsupportedBinaryValue {
  constructor(
    readonly valueType: string,
    readonly hint: string,
  ) {}
}

const TYPED_ARRAYS = {
  int8: Int8Array,
  uint8: Uint8Array,
  uint8clamped: Uint8ClampedArray,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
  bigint64: BigInt64Array,
  biguint64: BigUint64Array,
  // Node's Buffer and raw ArrayBuffers come back as what they were.
  buffer: Buffer,
  arraybuffer: Uint8Array,
} as const;

export type TypedArrayDtype = keyof typeof TYPED_ARRAYS;

type TensorLike = {
  dtype: string;
  shape: number[];
  isDisposed?: boolean;
  data(): Promise<ArrayLike<unknown>>;
  dataSync(): unknown;
  dispose(): void;
};

type ModelLike = {
  save(h: Tfjs.io.IOHandler): Promise<unknown>;
  predict: unknown;
  layers?: unknown;
};

function isTensor(value: object): value is TensorLike {
  const v = value as Partial<TensorLike>;
  return (
    typeof v.dataSync === "function" &&
    typeof v.data === "function" &&
    typeof v.dispose === "function" &&
    Array.isArray(v.shape) &&
    typeof v.dtype === "string"
  );
}

function isModel(value: object): value is ModelLike {
  const v = value as Partial<ModelLike>;
  return typeof v.save === "function" && typeof v.predict === "function";
}

function isArrowTable(value: object): value is Arrow.Table {
  const v = value as Partial<Arrow.Table>;
  return (
    typeof v.numRows === "number" &&
    typeof v.getChild === "function" &&
    Array.isArray(v.batches) &&
    typeof v.schema === "object"
  );
}

function typedArrayDtype(value: ArrayBufferView): TypedArrayDtype | undefined {
  if (Buffer.isBuffer(value)) return "buffer";
  const entry = Object.entries(TYPED_ARRAYS).find(
    ([dtype, ctor]) => dtype !== "buffer" && dtype !== "arraybuffer" && value.constructor === ctor,
  );
  return entry?.[0] as TypedArrayDtype | undefined;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Whether `value` travels as side files (checked synchronously while walking a value). */
export function isBinaryValue(value: object): boolean {
  return (
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    isTensor(value) ||
    isModel(value) ||
    isArrowTable(value)
  );
}

/** Tag names of binary values in `value.json`. */
export const BINARY_TAGS: ReadonlySet<string> = new Set([
  "typed-array",
  "tensor",
  "arrow-table",
  "layers-model",
]);

/**
 * Writes `value` as side files when it is a binary value and returns its tag; `undefined` when it
 * is not one; an {@link UnsupportedBinaryValue} when it is a binary-like value we cannot store.
 */
export async function encodeBinary(
  value: object,
  parts: PartWriter,
): Promise<BinaryTag | UnsupportedBinaryValue | undefined> {
  if (value instanceof ArrayBuffer) {
    return writeBytes(parts, "arraybuffer", new Uint8Array(value));
  }
  if (ArrayBuffer.isView(value)) {
    const dtype = typedArrayDtype(value);
    if (!dtype) {
      return new UnsupportedBinaryValue(
        `a ${value.constructor.name}`,
        "Copy it into a typed array (e.g. new Uint8Array(view.buffer)).",
      );
    }
    return writeBytes(parts, dtype, bytesOf(value));
  }
  if (isTensor(value)) return encodeTensor(value, parts);
  if (isModel(value)) return encodeModel(value, parts);
  if (isArrowTable(value)) {
    const tableToIPC = arrowWriterFor(value);
    if (!tableToIPC) {
      return new UnsupportedBinaryValue(
        "an Arrow table from a copy of apache-arrow that Kiln cannot find",
        "Build it with the apache-arrow package the notebook requires (CommonJS), or pass tableToIPC(table) bytes instead.",
      );
    }
    const file = parts.allocate(".arrow");
    await writeFile(join(parts.dir, file), tableToIPC(value, "file"));
    return { $kiln: "arrow-table", file };
  }
  return undefined;
}

type TableToIpc = (table: Arrow.Table, type: "file") => Uint8Array;

// apache-arrow's writer checks `instanceof Table`, so a table must be written by the copy of the
// package that made it: Kiln's own, or another one the step loaded (found in the module cache).
function arrowWriterFor(table: Arrow.Table): TableToIpc | undefined {
  const ours = nodeRequire("apache-arrow") as typeof Arrow;
  const madeBy: unknown = (table as object).constructor;
  if (madeBy === ours.Table) return ours.tableToIPC as TableToIpc;
  for (const loaded of Object.values(nodeRequire.cache)) {
    const exports = loaded?.exports as Partial<typeof Arrow> | undefined;
    if (!exports) continue;
    if (exports.Table === madeBy && typeof exports.tableToIPC === "function") {
      return exports.tableToIPC as TableToIpc;
    }
  }
  return undefined;
}

async function writeBytes(
  parts: PartWriter,
  dtype: TypedArrayDtype,
  bytes: Uint8Array,
): Promise<BinaryTag> {
  const file = parts.allocate(".bin");
  await writeFile(join(parts.dir, file), bytes);
  return { $kiln: "typed-array", dtype, file };
}

async function encodeTensor(
  tensor: TensorLike,
  parts: PartWriter,
): Promise<BinaryTag | UnsupportedBinaryValue> {
  if (tensor.isDisposed) {
    return new UnsupportedBinaryValue(
      "a disposed tf.Tensor",
      "Keep it alive until the end of the step (do not dispose it or create it inside tf.tidy).",
    );
  }
  const shape = [...tensor.shape];
  const data = await tensor.data();
  if (tensor.dtype === "string") {
    return { $kiln: "tensor", dtype: "string", shape, values: Array.from(data, String) };
  }
  if (tensor.dtype !== "float32" && tensor.dtype !== "int32" && tensor.dtype !== "bool") {
    return new UnsupportedBinaryValue(
      `a tf.Tensor of dtype ${tensor.dtype}`,
      "Split complex tensors with tf.real() and tf.imag().",
    );
  }
  const file = parts.allocate(".bin");
  await writeFile(join(parts.dir, file), bytesOf(data as unknown as ArrayBufferView));
  return { $kiln: "tensor", dtype: tensor.dtype, shape, file };
}

async function encodeModel(
  model: ModelLike,
  parts: PartWriter,
): Promise<BinaryTag | UnsupportedBinaryValue> {
  if (!Array.isArray(model.layers)) {
    return new UnsupportedBinaryValue(
      "a tfjs GraphModel",
      "Pass its URL or path instead, and load it again with tf.loadGraphModel in the next step.",
    );
  }
  const dir = parts.allocate("");
  await model.save(fileModelHandler(join(parts.dir, dir)));
  const files = ["model.json", "weights.bin"];
  for (const file of files) parts.record(`${dir}/${file}`);
  return { $kiln: "layers-model", dir, files };
}

/** Reads a binary value back: typed arrays as such, tensors and models through tfjs. */
export async function decodeBinary(tag: BinaryTag, resolve: FileResolver): Promise<unknown> {
  switch (tag.$kiln) {
    case "typed-array": {
      const bytes = await readFile(resolve(tag.file));
      if (tag.dtype === "buffer") return bytes;
      if (tag.dtype === "arraybuffer") return copyToArrayBuffer(bytes);
      return new TYPED_ARRAYS[tag.dtype](copyToArrayBuffer(bytes));
    }
    case "tensor": {
      const { tf } = await loadTensorflow();
      if (tag.dtype === "string") return tf.tensor(tag.values, tag.shape, "string");
      const buffer = copyToArrayBuffer(await readFile(resolve(tag.file)));
      const values =
        tag.dtype === "float32"
          ? new Float32Array(buffer)
          : tag.dtype === "int32"
            ? new Int32Array(buffer)
            : new Uint8Array(buffer);
      return tf.tensor(values, tag.shape, tag.dtype);
    }
    case "arrow-table": {
      const arrow = nodeRequire("apache-arrow") as typeof Arrow;
      return arrow.tableFromIPC(await readFile(resolve(tag.file)));
    }
    case "layers-model":
      return loadModel(tag, resolve);
    default:
      throw new TypeError(
        `Unknown stored value kind ${JSON.stringify((tag as { $kiln: unknown }).$kiln)}: it was written by a newer Kiln. Re-run the producing step with this version.`,
      );
  }
}

// Stored files are content-addressed blobs without their names; the tfjs handler wants a
// directory, so it gets one made of symlinks.
async function loadModel(
  tag: Extract<BinaryTag, { $kiln: "layers-model" }>,
  resolve: FileResolver,
): Promise<unknown> {
  const { tf } = await loadTensorflow();
  const dir = await mkdtemp(join(tmpdir(), "kiln-model-"));
  try {
    for (const file of tag.files) {
      const link = join(dir, file);
      await mkdir(dirname(link), { recursive: true });
      await symlink(resolve(`${tag.dir}/${file}`), link);
    }
    return await tf.loadLayersModel(fileModelHandler(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// A Buffer from readFile may share Node's pool; typed arrays need an aligned buffer of their own.
function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}
