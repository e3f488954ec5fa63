/**
 * Moves a value across a step boundary. A value becomes a directory: `value.json` holds its JSON
 * tree, where anything JSON cannot say exactly is a tagged object (`{"$kiln": "Date", …}`), and
 * binary parts (typed arrays, tensors, Arrow tables, tfjs models) are side files it names. The
 * artifact store ingests such directories as content-addressed blobs; `run-step-cli` reads and
 * writes them as plain directories.
 *
 * Supported: JSON values (with `undefined`, NaN/±Infinity/-0, bigint, Date, Map, Set and
 * data-only class instances as plain objects), typed arrays, ArrayBuffer, Buffer, tf.Tensor,
 * tfjs LayersModel, Arrow tables, LanceDB tables (as {@link LanceTableRef}). Anything else fails
 * with an {@link UnmarshallableValueError} naming the step, the variable and the offending part.
 *
 * @example
 * ```ts
 * await marshalValue({ xs: tf.tensor([1, 2]), at: new Date() }, "/tmp/out/data", { step: "prepare", name: "data" });
 * const data = await unmarshalValue(await locateValueInDir("/tmp/out/data"), "data");
 * ```
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ValueLocation } from "../runtime/context";
import {
  BINARY_TAGS,
  decodeBinary,
  encodeBinary,
  isBinaryValue,
  UnsupportedBinaryValue,
} from "./binary-values";
import type { BinaryTag, PartWriter } from "./binary-values";
import { isLanceTable, LanceTableRef } from "./lance-table-ref";
import { MarshalledValueError, UnmarshallableValueError } from "./marshal-errors";

/** Name of the file describing a marshalled value inside its directory. */
export const VALUE_FILE = "value.json";

/** Format id written into every `value.json`. */
export const VALUE_FORMAT = "kiln.value/v1";

/** Contents of `value.json`. */
export interface ValueDocument {
  format: typeof VALUE_FORMAT;
  /** Side files, relative to the value's directory. */
  files: string[];
  root: unknown;
}

type Tagged =
  | BinaryTag
  | { $kiln: "undefined" }
  | { $kiln: "number"; value: "NaN" | "Infinity" | "-Infinity" | "-0" }
  | { $kiln: "bigint"; value: string }
  | { $kiln: "Date"; value: string | null }
  | { $kiln: "Map"; entries: [unknown, unknown][] }
  | { $kiln: "Set"; values: unknown[] }
  | { $kiln: "object"; value: Record<string, unknown> }
  | { $kiln: "lance-table"; uri: string; table: string; version: number };

/** Which output of which step is being written (for error messages). */
export type MarshalTarget = { step: string; name: string };

/**
 * Writes `value` into directory `dir` (created): `value.json` plus side files. Rejects with
 * UnmarshallableValueError, before writing `value.json`, if any part cannot be stored.
 */
export async function marshalValue(
  value: unknown,
  dir: string,
  target: MarshalTarget,
): Promise<ValueDocument> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  let next = 0;
  const parts: PartWriter = {
    dir,
    allocate(suffix) {
      const file = `part-${next++}${suffix}`;
      if (suffix) files.push(file);
      return file;
    },
    record: (file) => files.push(file),
  };
  const root = await new Encoder(target, parts).run(value);
  const document: ValueDocument = { format: VALUE_FORMAT, files, root };
  await writeFile(join(dir, VALUE_FILE), JSON.stringify(document));
  return document;
}

/** The location of a value written by {@link marshalValue} into `dir`. */
export async function locateValueInDir(dir: string, name = dir): Promise<ValueLocation> {
  const valueFile = join(dir, VALUE_FILE);
  const document = await readValueDocument(valueFile, name);
  return {
    valueFile,
    files: Object.fromEntries(document.files.map((file) => [file, join(dir, file)])),
  };
}

/** Reads a value back from wherever its files are (a directory or the artifact store). */
export async function unmarshalValue(location: ValueLocation, name: string): Promise<unknown> {
  const document = await readValueDocument(location.valueFile, name);
  const resolve = (file: string): string => {
    const path = location.files[file];
    if (path === undefined) throw new MarshalledValueError(name, `its part ${file} is missing`);
    return path;
  };
  return decode(document.root, async (tag) => decodeBinary(tag, resolve));
}

async function readValueDocument(valueFile: string, name: string): Promise<ValueDocument> {
  let document: Partial<ValueDocument>;
  try {
    document = JSON.parse(await readFile(valueFile, "utf8")) as Partial<ValueDocument>;
  } catch (error) {
    throw new MarshalledValueError(
      name,
      `${valueFile} cannot be read (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  if (document.format !== VALUE_FORMAT || !Array.isArray(document.files)) {
    throw new MarshalledValueError(name, `${valueFile} is not a Kiln value (${VALUE_FORMAT})`);
  }
  return document as ValueDocument;
}

// Walks the value synchronously (a large JSON array must not cost a promise per element);
// binary values get a placeholder that is filled in when their files have been written.
class Encoder {
  readonly #target: MarshalTarget;
  readonly #parts: PartWriter;
  // Objects on the current path: meeting one again means a cycle (shared references are fine).
  readonly #ancestors = new Set<object>();
  readonly #jobs: (() => Promise<void>)[] = [];

  constructor(target: MarshalTarget, parts: PartWriter) {
    this.#target = target;
    this.#parts = parts;
  }

  /** Encodes the whole value, side files included. */
  async run(value: unknown): Promise<unknown> {
    const root = this.#encode(value, this.#target.name);
    // One after another: part numbers, hence value.json and its hash, stay deterministic.
    for (const job of this.#jobs) await job();
    return root;
  }

  #encode(value: unknown, path: string): unknown {
    switch (typeof value) {
      case "string":
      case "boolean":
        return value;
      case "number":
        if (Number.isNaN(value)) return tag({ $kiln: "number", value: "NaN" });
        if (value === Infinity) return tag({ $kiln: "number", value: "Infinity" });
        if (value === -Infinity) return tag({ $kiln: "number", value: "-Infinity" });
        if (Object.is(value, -0)) return tag({ $kiln: "number", value: "-0" });
        return value;
      case "undefined":
        return tag({ $kiln: "undefined" });
      case "bigint":
        return tag({ $kiln: "bigint", value: value.toString() });
      case "symbol":
        return this.#fail(path, `a symbol (${value.toString()})`);
      case "function":
        return this.#fail(path, describeFunction(value));
      case "object":
        if (value === null) return null;
        if (this.#ancestors.has(value)) {
          return this.#fail(
            path,
            "a circular reference (an object that contains itself)",
            "Break the cycle, e.g. keep ids instead of back references.",
          );
        }
        this.#ancestors.add(value);
        try {
          return this.#encodeObject(value, path);
        } finally {
          this.#ancestors.delete(value);
        }
    }
  }

  #encodeObject(value: object, path: string): unknown {
    if (value instanceof Promise || typeof (value as { then?: unknown }).then === "function") {
      return this.#fail(path, "a Promise", "Did you forget `await`?");
    }
    if (value instanceof LanceTableRef) return tag({ $kiln: "lance-table", ...value.toJSON() });
    if (isLanceTable(value)) {
      return this.#later(async () => ({
        $kiln: "lance-table",
        ...(await LanceTableRef.of(value)).toJSON(),
      }));
    }
    if (value instanceof Date) {
      const time = value.getTime();
      return tag({ $kiln: "Date", value: Number.isNaN(time) ? null : value.toISOString() });
    }
    if (isBinaryValue(value)) {
      return this.#later(async () => {
        const binary = await encodeBinary(value, this.#parts);
        if (binary instanceof UnsupportedBinaryValue)
          this.#fail(path, binary.valueType, binary.hint);
        return binary as BinaryTag;
      });
    }
    if (Array.isArray(value)) {
      const items: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) items[i] = this.#encode(value[i], `${path}[${i}]`);
      return items;
    }
    if (value instanceof Map) {
      const entries: [unknown, unknown][] = [];
      let i = 0;
      for (const [key, item] of value) {
        const at = `${path}.get(${JSON.stringify(key) ?? String(key)})`;
        entries.push([this.#encode(key, `${path} key #${i++}`), this.#encode(item, at)]);
      }
      return tag({ $kiln: "Map", entries });
    }
    if (value instanceof Set) {
      const values: unknown[] = [];
      let i = 0;
      for (const item of value) values.push(this.#encode(item, `${path} item #${i++}`));
      return tag({ $kiln: "Set", values });
    }
    const methods = methodsOf(value);
    if (methods.length > 0) {
      const name = value.constructor?.name || "anonymous class";
      return this.#fail(
        path,
        `an instance of ${name} (methods: ${methods.slice(0, 5).join(", ")})`,
        "Its methods cannot travel: pass its data and rebuild it in the next step, or define and use it in one step.",
      );
    }
    const record: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      record[key] = this.#encode(
        (value as Record<string, unknown>)[key],
        `${path}${propertyPath(key)}`,
      );
    }
    // A user object that happens to have a "$kiln" key must not be mistaken for a tag.
    return "$kiln" in record ? tag({ $kiln: "object", value: record }) : record;
  }

  #later(produce: () => Promise<Tagged>): object {
    const placeholder = {};
    this.#jobs.push(async () => {
      Object.assign(placeholder, await produce());
    });
    return placeholder;
  }

  #fail(path: string, valueType: string, hint?: string): never {
    throw new UnmarshallableValueError({
      step: this.#target.step,
      variable: this.#target.name,
      path,
      valueType,
      ...(hint !== undefined ? { hint } : {}),
    });
  }
}

function tag(value: Tagged): Tagged {
  return value;
}

function describeFunction(value: { name: string }): string {
  const source = Function.prototype.toString.call(value);
  if (/^class\b/.test(source)) return `a class (${value.name || "anonymous"})`;
  return value.name ? `a function (${value.name})` : "a function";
}

// Methods anywhere on the prototype chain below Object.prototype (a plain object has none).
function methodsOf(value: object): string[] {
  const methods: string[] = [];
  for (
    let proto = Object.getPrototypeOf(value);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === "constructor") continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (typeof descriptor?.value === "function" || descriptor?.get) methods.push(key);
    }
  }
  return methods;
}

function propertyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

// Binary values load asynchronously (and concurrently); everything else is rebuilt in one
// synchronous pass, so a large JSON value costs no promise per element.
async function decode(
  root: unknown,
  binary: (tag: BinaryTag) => Promise<unknown>,
): Promise<unknown> {
  const tags: BinaryTag[] = [];
  collectBinaryTags(root, tags);
  const loaded = new Map<BinaryTag, unknown>(
    await Promise.all(tags.map(async (t) => [t, await binary(t)] as const)),
  );
  return rebuild(root, loaded);
}

function isTagged(node: object): node is Tagged {
  return typeof (node as { $kiln?: unknown }).$kiln === "string";
}

function collectBinaryTags(node: unknown, into: BinaryTag[]): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const item of node) collectBinaryTags(item, into);
    return;
  }
  if (isTagged(node) && BINARY_TAGS.has(node.$kiln)) {
    into.push(node as BinaryTag);
    return;
  }
  // An escaped user object: its own "$kiln" key is data, not a tag.
  const members = isTagged(node) && node.$kiln === "object" ? node.value : node;
  for (const item of Object.values(members)) collectBinaryTags(item, into);
}

function rebuild(node: unknown, loaded: Map<BinaryTag, unknown>): unknown {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) {
    const items: unknown[] = new Array(node.length);
    for (let i = 0; i < node.length; i++) items[i] = rebuild(node[i], loaded);
    return items;
  }
  if (!isTagged(node)) return rebuildRecord(node as Record<string, unknown>, loaded);
  switch (node.$kiln) {
    case "undefined":
      return undefined;
    case "number":
      return node.value === "-0" ? -0 : Number(node.value);
    case "bigint":
      return BigInt(node.value);
    case "Date":
      return new Date(node.value ?? NaN);
    case "Map":
      return new Map(node.entries.map(([k, v]) => [rebuild(k, loaded), rebuild(v, loaded)]));
    case "Set":
      return new Set(node.values.map((v) => rebuild(v, loaded)));
    case "object":
      return rebuildRecord(node.value, loaded);
    case "lance-table":
      return new LanceTableRef(node);
    default:
      if (!loaded.has(node as BinaryTag)) {
        throw new TypeError(
          `Unknown stored value kind ${JSON.stringify(node.$kiln)}: it was written by a newer Kiln. Re-run the producing step with this version.`,
        );
      }
      return loaded.get(node as BinaryTag);
  }
}

function rebuildRecord(
  record: Record<string, unknown>,
  loaded: Map<BinaryTag, unknown>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(record)) result[key] = rebuild(record[key], loaded);
  return result;
}
