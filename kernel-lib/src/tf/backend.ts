/**
 * Picks the TensorFlow.js backend for this process: the native TensorFlow library through
 * `@tensorflow/tfjs-node` when it loads, otherwise `@tensorflow/tfjs` on WebAssembly (SIMD) with a
 * one-line warning. Kiln code gets `tf` from here instead of importing a TF package itself, so a
 * machine where the native build failed still runs every notebook, only slower.
 */
import { dirname, join, sep } from "node:path";
import type * as Tfjs from "@tensorflow/tfjs";
import type * as TfjsWasm from "@tensorflow/tfjs-backend-wasm";
import { NativeTensorflowUnavailable, firstLine } from "./errors";

/** The `tf` namespace; tfjs-node re-exports all of `@tensorflow/tfjs`, so both backends fit. */
export type Tensorflow = typeof Tfjs;

/** `cpu` is the last resort when even the WebAssembly binary cannot start. */
export type TensorflowBackendName = "tensorflow" | "wasm" | "cpu";

/** What {@link loadTensorflow} settled on. */
export interface LoadedTensorflow {
  tf: Tensorflow;
  backend: TensorflowBackendName;
  /** Version of `@tensorflow/tfjs`, e.g. `4.22.0`. */
  version: string;
  /** Version of the native libtensorflow, e.g. `2.12.1`; only on the `tensorflow` backend. */
  libtensorflow?: string;
  /** Whether the WebAssembly backend runs its SIMD binary; only on the `wasm` backend. */
  wasmSimd?: boolean;
  /** The line that was passed to `warn`, when the native backend was wanted but not loaded. */
  warning?: string;
  /** Why the native backend did not load (also when it was skipped on purpose). */
  nativeError?: NativeTensorflowUnavailable;
}

export interface LoadTensorflowOptions {
  /** Receives the single warning line. Default `console.warn`. */
  warn?: (line: string) => void;
  /**
   * `wasm` skips the native backend (no warning: it was asked for). Default: `$KILN_TF_BACKEND`,
   * where any value other than `wasm` means "native if possible".
   */
  backend?: "auto" | "wasm";
  /** Loads a package by name; tests replace it to simulate a broken native addon. */
  requireModule?: (id: string) => unknown;
}

// kernel-lib compiles to CommonJS, where `require` is in scope. The TF packages are loaded on
// demand (not imported) so importing kernel-lib never pulls in a native addon by itself.
const nodeRequire: NodeJS.Require = require;

const FIX = "run `npm run setup` (or `node scripts/tfjs-native.mjs --force` to see the build log)";

let memo: Promise<LoadedTensorflow> | undefined;

/**
 * Loads TensorFlow.js once per process and returns the same result on every later call (later
 * options are ignored). Never rejects because of the native backend: it falls back to WebAssembly
 * and reports why through `warn`. A CPU without AVX kills the process on the native path (SIGILL,
 * which cannot be caught); set `KILN_TF_BACKEND=wasm` on such machines.
 *
 * @example
 * ```ts
 * const { tf, backend } = await loadTensorflow();
 * const y = tf.tensor([1, 2, 3]).square(); // runs on "tensorflow" or "wasm"
 * ```
 */
export function loadTensorflow(options: LoadTensorflowOptions = {}): Promise<LoadedTensorflow> {
  memo ??= chooseTensorflow(options);
  return memo;
}

/**
 * {@link loadTensorflow} without the memo: decides again on every call. For tests and diagnostics;
 * TensorFlow.js keeps one global engine, so the last call's backend is the active one.
 */
export async function chooseTensorflow(
  options: LoadTensorflowOptions = {},
): Promise<LoadedTensorflow> {
  const requireModule = options.requireModule ?? nodeRequire;
  const wanted = options.backend ?? (process.env.KILN_TF_BACKEND === "wasm" ? "wasm" : "auto");

  if (wanted === "wasm") {
    const skipped = new NativeTensorflowUnavailable({
      reason: "KILN_TF_BACKEND=wasm",
      using: "WebAssembly",
      fix: "unset KILN_TF_BACKEND",
    });
    return { ...(await loadWasm(requireModule)), nativeError: skipped };
  }

  let nativeFailure: unknown;
  try {
    return await loadNative(requireModule);
  } catch (error) {
    nativeFailure = error;
  }
  const fallback = await loadWasm(requireModule);
  const nativeError = new NativeTensorflowUnavailable({
    reason: firstLine(nativeFailure),
    using: fallback.backend === "wasm" ? "WebAssembly" : "the pure-JavaScript CPU backend",
    fix: FIX,
    cause: nativeFailure,
  });
  (options.warn ?? console.warn)(nativeError.message);
  return { ...fallback, warning: nativeError.message, nativeError };
}

/**
 * One line for `kiln doctor` and logs, e.g.
 * `tensorflow (native libtensorflow 2.12.1), tfjs 4.22.0` or
 * `wasm (SIMD), tfjs 4.22.0; native unavailable: <reason>`.
 *
 * @example
 * ```ts
 * console.log(`TensorFlow: ${await describeTensorflow()}`);
 * ```
 */
export async function describeTensorflow(loaded?: LoadedTensorflow): Promise<string> {
  const info = loaded ?? (await loadTensorflow());
  const detail =
    info.backend === "tensorflow"
      ? `native libtensorflow ${info.libtensorflow ?? "unknown version"}`
      : info.backend === "wasm"
        ? info.wasmSimd
          ? "SIMD"
          : "no SIMD"
        : "pure JavaScript";
  const why = info.nativeError ? `; native unavailable: ${info.nativeError.reason}` : "";
  return `${info.backend} (${detail}), tfjs ${info.version}${why}`;
}

/** The parts of tfjs-node's backend object we read; not in tfjs' public types. */
type NativeBackend = { binding?: { TF_Version?: unknown } };

async function loadNative(requireModule: (id: string) => unknown): Promise<LoadedTensorflow> {
  // libtensorflow logs oneDNN and CPU-feature notices at INFO on load, which would land in
  // every notebook's output; keep warnings and errors. A user's own setting wins.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= "2";
  const tf = requireModule("@tensorflow/tfjs-node") as Tensorflow;
  await tf.ready();
  if (tf.getBackend() !== "tensorflow") {
    throw new Error(`@tensorflow/tfjs-node loaded but the active backend is ${tf.getBackend()}`);
  }
  const version = (tf.backend() as unknown as NativeBackend).binding?.TF_Version;
  return {
    tf,
    backend: "tensorflow",
    version: tf.version.tfjs,
    ...(typeof version === "string" && { libtensorflow: version }),
  };
}

async function loadWasm(requireModule: (id: string) => unknown): Promise<LoadedTensorflow> {
  const tf = requireModule("@tensorflow/tfjs") as Tensorflow;
  const wasm = requireModule("@tensorflow/tfjs-backend-wasm") as typeof TfjsWasm;
  try {
    // The .wasm binaries ship in the package; without a path the backend would fetch from a CDN.
    wasm.setWasmPaths(wasmDistDir() + sep);
  } catch {
    // Throws only when the wasm backend already initialised, i.e. its paths are set already.
  }
  if (await tf.setBackend("wasm")) {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    return { tf, backend: "wasm", version: tf.version.tfjs, wasmSimd: simd === true };
  }
  // setBackend already logged why wasm failed; the CPU backend is bundled in @tensorflow/tfjs.
  await tf.setBackend("cpu");
  return { tf, backend: "cpu", version: tf.version.tfjs };
}

function wasmDistDir(): string {
  return join(dirname(nodeRequire.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
}
