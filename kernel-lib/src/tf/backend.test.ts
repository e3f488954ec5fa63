import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it, vi } from "vitest";
import { chooseTensorflow, describeTensorflow, loadTensorflow, type Tensorflow } from "./backend";
import { fileModelHandler, ModelFileError } from "./file-io";

// These tests need the native build from `npm run setup` (scripts/tfjs-native.mjs) and fail,
// rather than skip, without it: a silent fallback to wasm is exactly what they guard against.

// kernel-lib is CommonJS (no import.meta); vitest provides __filename as it would at run time.
const here = __dirname;
const nodeRequire = createRequire(__filename);
const tsxCli = nodeRequire.resolve("tsx/cli");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const input = [
  [0.1, -0.2, 0.3, 0.4],
  [1.5, 0.25, -0.75, 2],
  [-1, -2, 0.5, 0],
];

// Seeded initializers: the expected values come from the model itself, but a fixed model keeps
// failures reproducible.
function buildModel(tf: Tensorflow) {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [4],
      units: 16,
      activation: "relu",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      biasInitializer: tf.initializers.randomNormal({ seed: 2, stddev: 0.1 }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: 3,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  return model;
}

async function predict(tf: Tensorflow, model: { predict(x: unknown): unknown }) {
  const output = model.predict(tf.tensor2d(input)) as ReturnType<Tensorflow["tensor"]>;
  return Array.from(await output.data());
}

/** Loads the saved model in a fresh process forced onto WebAssembly, through file-io.ts. */
async function predictInWasmChild(modelDir: string) {
  const script = `
    const { loadTensorflow } = require(${JSON.stringify(join(here, "backend.ts"))});
    const { fileModelHandler } = require(${JSON.stringify(join(here, "file-io.ts"))});
    (async () => {
      const { tf, backend, wasmSimd } = await loadTensorflow({ warn: (line) => console.log("WARN " + line) });
      const model = await tf.loadLayersModel(fileModelHandler(${JSON.stringify(modelDir)}));
      const output = model.predict(tf.tensor2d(${JSON.stringify(input)}));
      console.log(JSON.stringify({ backend, wasmSimd, output: Array.from(await output.data()) }));
    })();
  `;
  const { stdout } = await promisify(execFile)(process.execPath, [tsxCli, "-e", script], {
    env: { ...process.env, KILN_TF_BACKEND: "wasm" },
  });
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return {
    stdout,
    ...(JSON.parse(last) as { backend: string; wasmSimd: boolean; output: number[] }),
  };
}

describe("loadTensorflow", () => {
  it("uses the native TensorFlow library through tfjs-node", async () => {
    const loaded = await chooseTensorflow({ warn: (line) => expect.fail(`unexpected: ${line}`) });
    expect(loaded.backend).toBe("tensorflow");
    expect(loaded.tf.getBackend()).toBe("tensorflow");
    expect(loaded.libtensorflow).toMatch(/^2\.\d+\.\d+/);
    expect(loaded.warning).toBeUndefined();
    expect(await describeTensorflow(loaded)).toMatch(
      /^tensorflow \(native libtensorflow 2\.\d+\.\d+\), tfjs 4\.22\.0$/,
    );
  });

  it("loads a model saved on the native backend with the same predictions on wasm", async () => {
    const { tf } = await chooseTensorflow();
    expect(tf.getBackend()).toBe("tensorflow");
    const dir = mkdtempSync(join(tmpdir(), "kiln-tf-model-"));
    dirs.push(dir);

    const original = buildModel(tf);
    const expected = await predict(tf, original);
    await original.save(`file://${dir}`);

    // tfjs-node's own file:// handler and Kiln's handler must read the same files.
    const viaFileUrl = await tf.loadLayersModel(`file://${join(dir, "model.json")}`);
    const viaKilnHandler = await tf.loadLayersModel(fileModelHandler(dir));
    const onWasm = await predictInWasmChild(dir);

    expect(onWasm.backend).toBe("wasm");
    expect(onWasm.wasmSimd).toBe(true);
    expect(onWasm.stdout).not.toContain("WARN"); // forcing wasm is not a failure to warn about
    expect(expected).toHaveLength(input.length * 3);
    for (const actual of [await predict(tf, viaFileUrl), await predict(tf, viaKilnHandler)]) {
      expect(actual).toEqual(expected);
    }
    expect(onWasm.output).toHaveLength(expected.length);
    onWasm.output.forEach((value, i) =>
      expect(Math.abs(value - (expected[i] ?? NaN))).toBeLessThan(1e-5),
    );
  });

  it("falls back to wasm with exactly one one-line warning when tfjs-node cannot load", async () => {
    const warn = vi.fn<(line: string) => void>();
    const requireModule = (id: string): unknown => {
      if (id === "@tensorflow/tfjs-node") {
        throw new Error(
          "libtensorflow_cc.so.2: cannot open shared object file: No such file or directory\n" +
            "    at Module._extensions..node (node:internal/modules/cjs/loader:1460:18)",
        );
      }
      return nodeRequire(id);
    };

    const first = await loadTensorflow({ warn, requireModule });
    const second = await loadTensorflow({ warn, requireModule });

    expect(second).toBe(first); // memoized: the warning is not repeated either
    expect(first.backend).toBe("wasm");
    expect(first.tf.getBackend()).toBe("wasm");
    expect(first.wasmSimd).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = warn.mock.calls[0]?.[0] ?? "";
    expect(line).not.toContain("\n");
    expect(line).toContain("libtensorflow_cc.so.2: cannot open shared object file");
    expect(line).toContain("slower");
    expect(line).toContain("npm run setup");
    expect(first.warning).toBe(line);
    expect(await describeTensorflow(first)).toBe(
      "wasm (SIMD), tfjs 4.22.0; native unavailable: " +
        "libtensorflow_cc.so.2: cannot open shared object file: No such file or directory",
    );
    // The fallback still computes.
    expect(Array.from(await first.tf.tensor([1, 2, 3]).square().data())).toEqual([1, 4, 9]);
  });
});

describe("fileModelHandler", () => {
  it("names the missing file when there is no saved model", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kiln-tf-empty-"));
    dirs.push(dir);
    const handler = fileModelHandler(dir);
    await expect(handler.load?.()).rejects.toThrow(ModelFileError);
    await expect(handler.load?.()).rejects.toThrow(`${join(dir, "model.json")}: it does not exist`);
  });
});
