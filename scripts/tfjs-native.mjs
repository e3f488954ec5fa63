#!/usr/bin/env node
/**
 * Builds the native TensorFlow backend of @tensorflow/tfjs-node without
 * Google storage.
 *
 * tfjs-node's own installer downloads libtensorflow and a prebuilt addon from
 * storage.googleapis.com, which Kiln machines cannot reach. The tensorflow-cpu
 * wheel on PyPI ships the same C API (libtensorflow_cc.so.2 +
 * libtensorflow_framework.so.2 + headers), so we take the libraries from the
 * wheel, stage them where tfjs-node's binding.gyp expects them and compile the
 * addon locally with node-pre-gyp/node-gyp.
 *
 * Only Node built-ins are used: this runs right after `npm ci`, before anything
 * in the workspace is compiled.
 *
 * @example
 *   // from scripts/setup.mjs
 *   import { ensureNativeTfjs } from "./tfjs-native.mjs";
 *   await ensureNativeTfjs({ root: repoRoot, log: (line) => console.log(line) });
 *
 * @example
 *   // by hand; --force rebuilds even when the stamp says it is done
 *   node scripts/tfjs-native.mjs [--force]
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The wheel the libraries come from. 2.12.1 is the oldest tensorflow-cpu wheel
 * that ships libtensorflow_cc.so.2 (2.9–2.11 only have the Python extension,
 * which cannot be loaded without libpython). The sha256 is PyPI's, pinned so a
 * corrupt cache or a swapped file is caught before we extract 0.5 GB from it.
 */
export const TF_WHEEL = Object.freeze({
  project: "tensorflow-cpu",
  version: "2.12.1",
  pythonVersion: "3.10",
  platform: "manylinux2014_x86_64",
  file: "tensorflow_cpu-2.12.1-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
  sha256: "d05b8268da5bd87cf43d46da177e3b3ca39f2db0437e56c5e18351db4cde8679",
});

/** The tfjs-node version the staging layout below was written against. */
export const TFJS_NODE_VERSION = "4.22.0";

/** Written into deps/ after a verified build; its content decides the fast path. */
const STAMP_FILE = ".kiln-native.json";
const STAMP = {
  wheel: `${TF_WHEEL.project}==${TF_WHEEL.version}`,
  tfjsNode: TFJS_NODE_VERSION,
  napi: process.versions.napi,
};

/** Headers the binding includes directly; the rest is found by following #include. */
const HEADER_ROOTS = [
  "tensorflow/c/c_api.h",
  "tensorflow/c/eager/c_api.h",
  "tensorflow/c/tf_datatype.h",
  "tensorflow/c/tf_status.h",
  "tensorflow/c/tf_tensor.h",
  "tensorflow/core/platform/ctstring_internal.h",
];

/**
 * Thrown when the native backend cannot be built or does not load. Carries
 * what went wrong (`message`), which step failed (`stage`), the last lines of
 * the build log and a fix the user can act on. Kiln still works (on
 * WebAssembly) when this happens, so callers may downgrade it to a warning.
 *
 * @example
 *   try {
 *     await ensureNativeTfjs({ root });
 *   } catch (error) {
 *     if (!(error instanceof NativeTfjsBuildError)) throw error;
 *     if (error.stage === "unsupported-platform") console.warn(error.message);
 *     else throw error;
 *   }
 */
export class NativeTfjsBuildError extends Error {
  /**
   * @param {string} message
   * @param {{ stage: "unsupported-platform" | "not-installed" | "version-mismatch" | "download" | "extract" | "build" | "verify",
   *           fix: string, logTail?: string, logFile?: string, cause?: unknown }} details
   */
  constructor(message, { stage, fix, logTail = "", logFile, cause }) {
    const parts = [message];
    if (logTail)
      parts.push(`--- last lines of the log${logFile ? ` (${logFile})` : ""} ---`, logTail, "---");
    parts.push(`Fix: ${fix}`);
    super(parts.join("\n"), { cause });
    this.name = "NativeTfjsBuildError";
    this.stage = stage;
    this.fix = fix;
    this.logTail = logTail;
    this.logFile = logFile;
  }
}

/**
 * Makes `require("@tensorflow/tfjs-node")` use the native TensorFlow backend.
 * Idempotent: when a previous run left a verified build it only re-checks that
 * the addon still loads (a fraction of a second).
 *
 * @param {{ root?: string, cacheDir?: string, log?: (line: string) => void, force?: boolean }} [options]
 *   root: the repository root (holds node_modules); cacheDir: where the wheel is
 *   kept between runs, default `<root>/.kiln/cache`; force: rebuild regardless.
 * @returns {Promise<{ built: boolean, backend: string, tensorflow: string, seconds: number }>}
 * @throws {NativeTfjsBuildError}
 */
export async function ensureNativeTfjs({
  root = defaultRoot(),
  cacheDir,
  log = (line) => console.log(line),
  force = false,
} = {}) {
  const started = performance.now();
  root = path.resolve(root);
  cacheDir = path.resolve(cacheDir ?? path.join(root, ".kiln", "cache"));
  const pkgDir = path.join(root, "node_modules", "@tensorflow", "tfjs-node");
  const addon = path.join(pkgDir, "lib", `napi-v${napiBuildVersion()}`, "tfjs_binding.node");
  const depsDir = path.join(pkgDir, "deps");
  const logFile = path.join(cacheDir, "tfjs-native-build.log");

  await checkPrerequisites(pkgDir);

  const isBuilt = async () =>
    (await stampMatches(depsDir)) && existsSync(addon) && (await addonLoads(addon));
  if (!force && (await isBuilt())) {
    return { built: false, ...(await readStamp(depsDir)), seconds: elapsed(started) };
  }

  await fs.mkdir(cacheDir, { recursive: true });
  const unlock = await lock(path.join(cacheDir, "tfjs-native.lock"), log);
  try {
    // Another process may have finished the build while we waited for the lock.
    if (!force && (await isBuilt())) {
      return { built: false, ...(await readStamp(depsDir)), seconds: elapsed(started) };
    }
    return await build({ root, cacheDir, pkgDir, depsDir, logFile, log, started });
  } finally {
    await unlock();
  }
}

/**
 * `npm test` and `npm start` both run setup; two builds at once would clobber each other's
 * deps/ and node-gyp output. mkdir is atomic, and a lock whose owner died is taken over.
 */
async function lock(dir, log) {
  const owner = path.join(dir, "pid");
  for (let waited = 0; ; waited++) {
    try {
      await fs.mkdir(dir);
      await fs.writeFile(owner, String(process.pid));
      return () => fs.rm(dir, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    const pid = Number(await fs.readFile(owner, "utf8").catch(() => "0"));
    if (pid > 0 && !isAlive(pid)) {
      await fs.rm(dir, { recursive: true, force: true });
      continue;
    }
    if (waited === 0) log(`waiting for another build (pid ${pid || "?"}) to finish`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

async function build({ root, cacheDir, pkgDir, depsDir, logFile, log, started }) {
  const buildLog = createWriteStream(logFile);
  const tail = [];
  // Everything goes to the log file; `log` only sees lines worth showing a user.
  const record = (line, show) => {
    buildLog.write(line + "\n");
    tail.push(line);
    if (tail.length > 40) tail.shift();
    if (show) log(line);
  };
  const fail = (stage, message, fix) =>
    new NativeTfjsBuildError(message, { stage, fix, logTail: tail.join("\n"), logFile });

  try {
    const wheel = await fetchWheel(cacheDir, record, fail);
    record(`staging libtensorflow from ${path.basename(wheel)}`, true);
    await fs.rm(path.join(depsDir, STAMP_FILE), { force: true });
    await stageDeps(wheel, depsDir, record, fail);
    record("compiling tfjs_binding.node (node-pre-gyp --build-from-source)", true);
    await buildAddon(pkgDir, record, fail);
    record("checking that @tensorflow/tfjs-node loads the native backend", true);
    const status = await verify(root, record, fail);
    await fs.writeFile(
      path.join(depsDir, STAMP_FILE),
      JSON.stringify({ ...STAMP, ...status }, null, 2) + "\n",
    );
    record(
      `native TensorFlow ${status.tensorflow} ready in ${elapsed(started).toFixed(0)} s`,
      true,
    );
    return { built: true, ...status, seconds: elapsed(started) };
  } finally {
    await new Promise((resolve) => buildLog.end(resolve));
  }
}

/** node-pre-gyp builds for the highest of tfjs-node's napi_versions (3..8) this Node supports. */
function napiBuildVersion() {
  return Math.min(8, Number(process.versions.napi));
}

function defaultRoot() {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
}

function elapsed(started) {
  return (performance.now() - started) / 1000;
}

async function checkPrerequisites(pkgDir) {
  if (process.platform !== "linux" || process.arch !== "x64") {
    // The wheel we take libtensorflow from is linux x86_64 only.
    throw new NativeTfjsBuildError(
      `native TensorFlow is only built on linux-x64, not ${process.platform}-${process.arch}`,
      {
        stage: "unsupported-platform",
        fix: "nothing to do: Kiln uses the WebAssembly backend on this machine",
      },
    );
  }
  const pkg = await fs.readFile(path.join(pkgDir, "package.json"), "utf8").catch(() => null);
  if (pkg === null) {
    throw new NativeTfjsBuildError(`@tensorflow/tfjs-node is not installed (looked in ${pkgDir})`, {
      stage: "not-installed",
      fix: "run `npm ci` in the repository root first",
    });
  }
  const { version } = JSON.parse(pkg);
  if (version !== TFJS_NODE_VERSION) {
    throw new NativeTfjsBuildError(
      `@tensorflow/tfjs-node is ${version}, this script stages libraries for ${TFJS_NODE_VERSION}`,
      {
        stage: "version-mismatch",
        fix: `pin @tensorflow/tfjs-node to ${TFJS_NODE_VERSION} in kernel-lib/package.json, or update TFJS_NODE_VERSION in scripts/tfjs-native.mjs after checking binding.gyp`,
      },
    );
  }
}

async function readStamp(depsDir) {
  try {
    return JSON.parse(await fs.readFile(path.join(depsDir, STAMP_FILE), "utf8"));
  } catch {
    return null;
  }
}

async function stampMatches(depsDir) {
  const stamp = await readStamp(depsDir);
  return stamp !== null && Object.entries(STAMP).every(([key, value]) => stamp[key] === value);
}

/** Loads only the addon (not tfjs) in a child, so a broken library cannot crash the caller. */
async function addonLoads(addon) {
  const { code } = await run(process.execPath, ["-e", `require(${JSON.stringify(addon)})`], {
    onLine: () => {},
  });
  return code === 0;
}

async function fetchWheel(cacheDir, record, fail) {
  const wheelDir = path.join(cacheDir, "wheels");
  const wheel = path.join(wheelDir, TF_WHEEL.file);
  if (existsSync(wheel) && (await sha256(wheel)) === TF_WHEEL.sha256) {
    record(`using cached ${wheel}`, false);
    return wheel;
  }
  await fs.rm(wheel, { force: true });
  record(
    `downloading ${TF_WHEEL.project}==${TF_WHEEL.version} (~230 MB) from PyPI into ${wheelDir}`,
    true,
  );
  // --python-version/--platform make pip pick the manylinux wheel whatever the
  // local Python is; --no-deps because we only want the shared libraries.
  const args = [
    "-m",
    "pip",
    "download",
    "--no-deps",
    "--only-binary=:all:",
    "--progress-bar",
    "off",
  ];
  args.push("--python-version", TF_WHEEL.pythonVersion, "--platform", TF_WHEEL.platform);
  args.push("-d", wheelDir, `${TF_WHEEL.project}==${TF_WHEEL.version}`);
  const { code } = await run("python3", args, { onLine: (line) => record(line, true) });
  if (code !== 0 || !existsSync(wheel)) {
    throw fail(
      "download",
      `pip could not download ${TF_WHEEL.file}`,
      "check that python3 -m pip works and PyPI is reachable, then run `npm run setup` again",
    );
  }
  const digest = await sha256(wheel);
  if (digest !== TF_WHEEL.sha256) {
    throw fail(
      "download",
      `${wheel} has sha256 ${digest}, expected ${TF_WHEEL.sha256}`,
      `delete ${wheel} and run \`npm run setup\` again`,
    );
  }
  return wheel;
}

async function sha256(file) {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * Python's zipfile because python3 is already required for pip and node-gyp,
 * while `unzip` is often missing. Libraries are extracted by streaming (the
 * .so is 532 MB); headers are the #include closure of HEADER_ROOTS so a newer
 * wheel that moves headers around still stages everything the binding needs.
 */
const EXTRACT_PY = `
import json, os, re, shutil, sys, zipfile
wheel, out, roots = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
z = zipfile.ZipFile(wheel)
names = set(z.namelist())
for lib in ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2"):
    with z.open("tensorflow/" + lib) as src, open(out + "/lib/" + lib, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    print("extracted lib/" + lib, flush=True)
prefix, todo, seen = "tensorflow/include/", list(roots), set()
while todo:
    header = todo.pop()
    if header in seen or prefix + header not in names:
        continue
    seen.add(header)
    text = z.read(prefix + header).decode()
    target = out + "/include/" + header
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w") as dst:
        dst.write(text)
    todo += re.findall(r'^[ \\t]*#[ \\t]*include[ \\t]+"([^"]+)"', text, re.M)
missing = [h for h in roots if h not in seen]
if missing:
    sys.exit("headers missing from wheel: " + ", ".join(missing))
print("extracted %d headers" % len(seen), flush=True)
`;

async function stageDeps(wheel, depsDir, record, fail) {
  // Stage next to deps/ and swap in at the end, so an interrupted run never
  // leaves a half-written deps/ that tfjs-node's installer would trust.
  const staging = `${depsDir}.kiln-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(path.join(staging, "lib"), { recursive: true });
  await fs.mkdir(path.join(staging, "include"), { recursive: true });
  const { code } = await run(
    "python3",
    ["-c", EXTRACT_PY, wheel, staging, JSON.stringify(HEADER_ROOTS)],
    {
      onLine: (line) => record(line, false),
    },
  );
  if (code !== 0) {
    await fs.rm(staging, { recursive: true, force: true });
    throw fail(
      "extract",
      `could not extract libtensorflow from ${wheel}`,
      `delete ${wheel} and run \`npm run setup\` again`,
    );
  }
  // binding.gyp links -ltensorflow / -ltensorflow_framework; the linker then
  // records the SONAMEs (libtensorflow_cc.so.2, libtensorflow_framework.so.2),
  // which are the real files. The *.so.2.9.1 names are what tfjs-node's
  // install.js checks for, and libtensorflow.so.2 is what Google's prebuilt
  // addon would ask for if node-pre-gyp ever fetched one.
  const links = {
    "libtensorflow.so": "libtensorflow_cc.so.2",
    "libtensorflow.so.2": "libtensorflow_cc.so.2",
    "libtensorflow.so.2.9.1": "libtensorflow_cc.so.2",
    "libtensorflow_framework.so": "libtensorflow_framework.so.2",
    "libtensorflow_framework.so.2.9.1": "libtensorflow_framework.so.2",
  };
  for (const [name, target] of Object.entries(links)) {
    await fs.symlink(target, path.join(staging, "lib", name));
  }
  await fs.rm(depsDir, { recursive: true, force: true });
  await fs.rename(staging, depsDir);
}

function nodeGypEnv() {
  const env = { ...process.env };
  // Outside `npm run`, node-gyp does not see ~/.npmrc's nodedir and would try
  // to download Node headers from nodejs.org; point it at the installed ones.
  const prefix = path.dirname(path.dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(path.join(prefix, "include", "node", "node_api.h"))) {
    env.npm_config_nodedir = prefix;
  }
  return env;
}

/**
 * node-pre-gyp directly rather than tfjs-node's install.js: install.js shells
 * out to `node-pre-gyp` via PATH (only set inside `npm run`), rewrites its own
 * package.json, and with --fallback-to-build would first try Google storage.
 */
async function buildAddon(pkgDir, record, fail) {
  const requireFromPkg = createRequire(path.join(pkgDir, "package.json"));
  const preGypPkg = requireFromPkg.resolve("@mapbox/node-pre-gyp/package.json");
  const preGyp = path.join(path.dirname(preGypPkg), "bin", "node-pre-gyp");
  const args = [preGyp, "install", "--build-from-source", "--jobs=max"];
  // Show progress and compiler diagnostics; node-gyp's environment dumps stay in the log file.
  const notable = /error|warning:|^gyp info ok|^node-pre-gyp info (ok|build)|\bCXX\b|SOLINK|COPY/i;
  const noise = /ERR! (stack|System|command|cwd|node -v|node-gyp -v|node-pre-gyp -v)|^gyp info/;
  const { code } = await run(process.execPath, args, {
    cwd: pkgDir,
    env: nodeGypEnv(),
    onLine: (line) => record(line, notable.test(line) && !noise.test(line)),
  });
  if (code !== 0) {
    throw fail(
      "build",
      "compiling the tfjs-node addon failed",
      "install a C++ toolchain and Python 3 (Debian: `apt-get install build-essential python3`), then run `npm run setup` again",
    );
  }
}

const VERIFY_JS = `
const tf = require(require.resolve("@tensorflow/tfjs-node", { paths: [process.argv[1]] }));
const sum = tf.tensor1d([1, 2, 3]).add(1).sum().dataSync()[0];
const binding = tf.backend().binding;
console.log(JSON.stringify({ backend: tf.getBackend(), tensorflow: binding && binding.TF_Version, sum }));
`;

async function verify(root, record, fail) {
  const lines = [];
  const { code, signal } = await run(process.execPath, ["-e", VERIFY_JS, root], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" },
    onLine: (line) => {
      lines.push(line);
      record(line, false);
    },
  });
  const result = lines.map(tryJson).findLast((value) => value !== null);
  if (code !== 0 || !result || result.backend !== "tensorflow" || result.sum !== 9) {
    throw fail(
      "verify",
      `@tensorflow/tfjs-node did not load the native backend (exit ${signal ?? code}, got ${JSON.stringify(result)})`,
      "run `node scripts/tfjs-native.mjs --force` and read the log; an exit by SIGILL means this CPU lacks AVX, which the wheel's libtensorflow requires",
    );
  }
  return { backend: result.backend, tensorflow: String(result.tensorflow) };
}

function tryJson(line) {
  try {
    return line.startsWith("{") ? JSON.parse(line) : null;
  } catch {
    return null;
  }
}

/**
 * Spawns without a shell and hands every stdout/stderr line to onLine.
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null }>}
 */
function run(command, args, { cwd, env, onLine }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        const parts = (pending + chunk).split(/\r?\n|\r/);
        pending = parts.pop() ?? "";
        for (const part of parts) if (part.trim()) onLine(part);
      });
      stream.on("end", () => pending.trim() && onLine(pending));
    }
    child.on("error", (error) => {
      onLine(`cannot run ${command}: ${error.message}`);
      resolve({ code: 127, signal: null });
    });
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureNativeTfjs({
    force: process.argv.includes("--force"),
    log: (line) => console.log(`[tfjs-native] ${line}`),
  }).then(
    (result) => {
      const what = result.built ? "built" : "already built";
      console.log(
        `native TensorFlow backend ${what}: libtensorflow ${result.tensorflow} (${result.seconds.toFixed(1)} s)`,
      );
    },
    (error) => {
      console.error(error instanceof NativeTfjsBuildError ? error.message : error);
      process.exitCode = 1;
    },
  );
}
