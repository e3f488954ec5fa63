import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import type * as Arrow from "apache-arrow";
import * as esmArrow from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTensorflow, type Tensorflow } from "../../tf/backend";
import { ArtifactStore } from "./artifact-store";
import { LanceTableRef } from "./lance-table-ref";
import { locateValueInDir, marshalValue, unmarshalValue } from "./marshal";
import { UnmarshallableValueError } from "./marshal-errors";

// Step programs are CommonJS and require apache-arrow; vitest's `import` would load its ESM build,
// a different copy of the package (used below on purpose, for the error).
const arrow = createRequire(__filename)("apache-arrow") as typeof Arrow;

let work: string;
let tf: Tensorflow;
let counter = 0;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "kiln-marshal-"));
  ({ tf } = await loadTensorflow());
});
afterAll(() => rm(work, { recursive: true, force: true }));

const target = { step: "prepare", name: "data" };

/** Writes a value to a directory and reads it back, as two steps would. */
async function roundTrip(value: unknown): Promise<unknown> {
  const dir = join(work, `value-${counter++}`);
  await marshalValue(value, dir, target);
  return unmarshalValue(await locateValueInDir(dir), "data");
}

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

describe("marshal round trips", () => {
  const cases: [string, unknown][] = [
    ["null", null],
    ["a string", "héllo \u0000 \n"],
    ["a number", 3.25],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["-0", -0],
    ["a boolean", false],
    ["undefined", undefined],
    ["a bigint", 12345678901234567890n],
    ["nested arrays and objects", { a: [1, [2, { b: "c" }]], d: { e: null, f: [] } }],
    ["an object with undefined members", { a: undefined, b: [undefined, 1] }],
    ["a Date", new Date("2024-05-06T07:08:09.010Z")],
    ["an invalid Date", new Date(NaN)],
    [
      "a Map",
      new Map<unknown, unknown>([
        ["a", 1],
        [2, { b: new Date(0) }],
      ]),
    ],
    ["a Set", new Set([1, "two", 3])],
    ["an object with a $kiln key", { $kiln: "Date", value: "not a date" }],
    ["an object that looks like a binary tag", { x: { $kiln: "tensor", file: "part-0.bin" } }],
    ["a Float32Array", new Float32Array([1.5, -2, 3.25])],
    ["an Int32Array", new Int32Array([1, -2, 2 ** 31 - 1])],
    ["a Uint8Array", new Uint8Array([0, 255, 7])],
    ["a Float64Array", new Float64Array([Math.PI, -0])],
    ["a BigInt64Array", new BigInt64Array([-5n, 2n ** 62n])],
    ["a Buffer", Buffer.from("bytes")],
    ["an ArrayBuffer", new Uint16Array([1, 2, 3]).buffer],
    [
      "a typed array view with an offset",
      new Float32Array(new Float32Array([9, 1, 2]).buffer, 4, 2),
    ],
    [
      "typed arrays inside objects",
      { xs: new Float32Array([1, 2]), meta: { ys: new Int8Array([-1]) } },
    ],
    ["a data-only class instance (as a plain object)", { p: Object.assign(new Point(1, 2), {}) }],
  ];
  for (const [what, value] of cases) {
    it(`keeps ${what}`, async () => {
      const back = await roundTrip(value);
      if (value instanceof Point || (value as { p?: unknown })?.p instanceof Point) {
        expect(back).toEqual({ p: { x: 1, y: 2 } });
      } else {
        expect(back).toStrictEqual(value);
      }
    });
  }

  it("keeps a Date's type and a Map's key types", async () => {
    const back = (await roundTrip({ at: new Date(5), m: new Map([[1, "one"]]) })) as {
      at: Date;
      m: Map<number, string>;
    };
    expect(back.at).toBeInstanceOf(Date);
    expect(back.m.get(1)).toBe("one");
  });

  it("keeps tf.Tensors of every numeric dtype (shape, dtype, values) and string tensors", async () => {
    const tensors = {
      f: tf.tensor2d([
        [1.5, 2],
        [3, 4],
      ]),
      i: tf.tensor1d([1, -2, 3], "int32"),
      b: tf.tensor([true, false, true], [3], "bool"),
      s: tf.tensor(["a", "bc"], [2], "string"),
      scalar: tf.scalar(7),
    };
    const back = (await roundTrip(tensors)) as Record<string, ReturnType<Tensorflow["tensor"]>>;
    for (const [key, original] of Object.entries(tensors)) {
      const copy = back[key]!;
      expect(copy).toBeInstanceOf(tf.Tensor);
      expect(copy.dtype).toBe(original.dtype);
      expect(copy.shape).toEqual(original.shape);
      expect(await copy.array()).toEqual(await original.array());
    }
  });

  it("keeps Arrow tables (schema and rows)", async () => {
    const table = arrow.tableFromArrays({
      id: Int32Array.from([1, 2, 3]),
      score: Float64Array.from([0.5, 0.25, 1]),
      name: ["a", "b", "c"],
    });
    const back = (await roundTrip({ table })) as { table: Arrow.Table };
    expect(back.table.numRows).toBe(3);
    expect(back.table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(
      table.schema.fields.map((f) => `${f.name}:${f.type}`),
    );
    expect(back.table.toArray().map((row) => row.toJSON())).toEqual(
      table.toArray().map((row) => row.toJSON()),
    );
  });

  it("keeps a tfjs LayersModel (same predictions after loading)", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [2], units: 3, activation: "relu" }),
        tf.layers.dense({ units: 1 }),
      ],
    });
    const x = tf.tensor2d([
      [0.5, -1],
      [2, 3],
    ]);
    const expected = await (model.predict(x) as ReturnType<Tensorflow["tensor"]>).array();
    const back = (await roundTrip(model)) as typeof model;
    expect(back.layers).toHaveLength(2);
    expect(await (back.predict(x) as ReturnType<Tensorflow["tensor"]>).array()).toEqual(expected);
  });

  it("keeps LanceDB table references, and turns a real table into one at its version", async () => {
    const ref = new LanceTableRef({ uri: "/data/db", table: "items", version: 3 });
    expect(await roundTrip(ref)).toEqual(ref);
    expect(await roundTrip(ref)).toBeInstanceOf(LanceTableRef);

    const lancedb = await import("@lancedb/lancedb");
    const uri = join(work, "lance");
    const db = await lancedb.connect(uri);
    const table = await db.createTable("items", [{ id: 1 }, { id: 2 }]);
    await table.add([{ id: 3 }]);
    const back = (await roundTrip({ table })) as { table: LanceTableRef };
    expect(back.table).toEqual(new LanceTableRef({ uri, table: "items", version: 2 }));
    await table.add([{ id: 4 }]); // later writes are not seen through the pinned reference
    const reopened = await back.table.open();
    expect(await reopened.countRows()).toBe(3);
  });

  it("reads values back from the content-addressed store", async () => {
    const store = new ArtifactStore(join(work, "store"));
    const dir = join(work, "to-ingest");
    await marshalValue({ t: tf.tensor([1, 2, 3]), n: 1 }, dir, target);
    const stored = await store.ingest(dir);
    const back = (await unmarshalValue(store.locate(stored), "data")) as {
      t: { dataSync(): unknown };
      n: number;
    };
    expect(Array.from(back.t.dataSync() as Float32Array)).toEqual([1, 2, 3]);
    expect(back.n).toBe(1);
  });
});

describe("values that cannot cross a step boundary", () => {
  const circular: Record<string, unknown> = { a: 1 };
  circular["self"] = circular;
  class Scaler {
    factor = 2;
    apply(x: number) {
      return x * this.factor;
    }
  }
  const disposed = () => {
    const t = tf.tensor([1]);
    t.dispose();
    return t;
  };
  const cases: [string, () => unknown, RegExp, string][] = [
    [
      "a function",
      () => ({ rows: [1], parse: function parse() {} }),
      /data\.parse is a function \(parse\)/,
      "data.parse",
    ],
    ["an arrow function at the top", () => () => 1, /: it is a function/, "data"],
    ["a class", () => ({ Scaler }), /data\.Scaler is a class \(Scaler\)/, "data.Scaler"],
    [
      "a class instance with methods",
      () => [new Scaler()],
      /data\[0\] is an instance of Scaler \(methods: apply\)/,
      "data[0]",
    ],
    ["a symbol", () => ({ s: Symbol("x") }), /data\.s is a symbol \(Symbol\(x\)\)/, "data.s"],
    [
      "a Promise",
      () => ({ p: Promise.resolve(1) }),
      /data\.p is a Promise\. Did you forget `await`\?/,
      "data.p",
    ],
    ["a circular structure", () => circular, /data\.self is a circular reference/, "data.self"],
    [
      "a Map value",
      () => new Map([["k", () => 1]]),
      /data\.get\("k"\) is a function/,
      'data.get("k")',
    ],
    ["a disposed tensor", () => ({ t: disposed() }), /data\.t is a disposed tf\.Tensor/, "data.t"],
    ["a DataView", () => new DataView(new ArrayBuffer(2)), /it is a DataView/, "data"],
    ["a RegExp", () => /x/, /it is an instance of RegExp/, "data"],
    [
      "an Arrow table from an unknown copy of apache-arrow",
      () => esmArrow.tableFromArrays({ a: [1] }),
      /it is an Arrow table from a copy of apache-arrow that Kiln cannot find/,
      "data",
    ],
  ];
  for (const [what, make, message, path] of cases) {
    it(`rejects ${what}, naming the step, the variable, the type and the fix`, async () => {
      const error = await marshalValue(make(), join(work, `bad-${counter++}`), target).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnmarshallableValueError);
      const e = error as UnmarshallableValueError;
      expect(e.message).toMatch(message);
      expect(e.message).toContain('Step "prepare" cannot pass "data"');
      expect(e.message).toContain(
        "Convert it to JSON, a tensor or an Arrow table, or move it to a shared cell",
      );
      expect(e.step).toBe("prepare");
      expect(e.variable).toBe("data");
      expect(e.path).toBe(path);
    });
  }

  it("accepts shared (non-circular) references", async () => {
    const shared = { v: 1 };
    expect(await roundTrip({ a: shared, b: shared })).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });
});
