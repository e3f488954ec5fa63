#!/usr/bin/env node
// Installs everything Kiln needs on this machine, idempotently: npm packages, the native
// TensorFlow binding for tfjs-node, the Python virtualenv with MLflow and JupyterLab, a second
// one with Evidently for the drift tests, the compiled TypeScript, the tslab kernel registered
// in the venv's Jupyter, and Kiln's JupyterLab extension installed in the venv (plus Debian's
// redis-server and chromium for the tests).
//
// Each step records a stamp (a hash of its inputs) under .kiln/setup/, so a second run only
// checks stamps and finishes in seconds. Only Node built-ins are used here: this runs before
// node_modules exists.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const stampDir = join(root, ".kiln", "setup");
const venv = join(root, ".venv");
const venvPython = join(venv, "bin", "python");
const started = Date.now();

const log = (message) => process.stdout.write(`[kiln setup] ${message}\n`);

class SetupStepFailed extends Error {
  constructor(step, detail, fix) {
    super(`${step} failed: ${detail}\n  How to fix: ${fix}`);
    this.name = "SetupStepFailed";
  }
}

function run(step, command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) {
    throw new SetupStepFailed(
      step,
      `${command} could not start (${result.error.message})`,
      options.fix ?? "check that it is installed",
    );
  }
  if (result.status !== 0) {
    throw new SetupStepFailed(
      step,
      `\`${command} ${args.join(" ")}\` exited with ${result.status}`,
      options.fix ?? "read the output above",
    );
  }
}

function readlinkOrNull(path) {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

function hashOf(...parts) {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(existsSync(part) ? readFileSync(part) : part);
  return hash.digest("hex");
}

// Sources only: build outputs, dependencies and tests do not change what gets built.
const NOT_SOURCES = new Set(["node_modules", "lib", "labextension", "__pycache__"]);

/** A hash of the names and contents of the source files under `dirs`, and of `files`. */
function hashOfTrees(dirs, ...files) {
  const hash = createHash("sha256");
  const add = (file) => hash.update(`${relative(root, file)}\0`).update(readFileSync(file));
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!NOT_SOURCES.has(entry.name)) walk(path);
      } else if (!entry.name.endsWith(".test.ts") && !entry.name.endsWith(".tsbuildinfo")) {
        add(path);
      }
    }
  };
  dirs.forEach(walk);
  files.forEach(add);
  return hash.digest("hex");
}

/** Runs `action` unless the stamp for `name` already holds `hash`; writes the stamp after. */
async function step(name, hash, isPresent, action) {
  const stampFile = join(stampDir, `${name}.stamp`);
  const done = existsSync(stampFile) && readFileSync(stampFile, "utf8") === hash && isPresent();
  if (done) {
    log(`${name}: up to date`);
    return;
  }
  const t0 = Date.now();
  log(`${name}: installing…`);
  await action();
  mkdirSync(stampDir, { recursive: true });
  writeFileSync(stampFile, hash);
  log(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  throw new SetupStepFailed(
    "node",
    `Node ${process.versions.node} is too old`,
    "install Node 20.19 or newer",
  );
}

function onPath(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * Installs Debian `packages` with apt-get unless `isInstalled()`. Without root, says what is
 * unavailable and what to run, and carries on.
 */
function ensureDebianPackages(name, packages, isInstalled, unavailable) {
  if (isInstalled()) {
    log(`${name}: up to date`);
    return;
  }
  if (process.getuid?.() !== 0) {
    log(
      `WARNING: ${name} is not installed, so ${unavailable}; ` +
        `run \`sudo apt-get install -y --no-install-recommends ${packages.join(" ")}\`, then \`npm run setup\` again.`,
    );
    return;
  }
  log(`${name}: installing…`);
  const install = ["install", "-y", "--no-install-recommends", ...packages];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const first = spawnSync("apt-get", install, { stdio: "inherit", env });
  if (first.status !== 0) {
    // Usually the package lists are missing (fresh container): fetch them once and retry.
    run(name, "apt-get", ["update"], {
      fix: "check that the Debian mirrors are reachable",
    });
    run(name, "apt-get", install, {
      env,
      fix: `run \`apt-get install ${packages.join(" ")}\` and read its error`,
    });
  }
}

// Redis backs the jobs queue when KILN_JOBS_REDIS_URL is set, and the Redis job tests start their
// own redis-server (setup starts none; note that on a host running systemd, Debian's package
// enables its own redis-server.service). Without root, those tests are skipped.
ensureDebianPackages(
  "redis-server",
  ["redis-server"],
  () => onPath("redis-server"),
  "the Redis job queue and its tests are unavailable",
);

// The JupyterLab extension's end-to-end tests drive Debian's Chromium (never a browser that a
// test tool downloads: puppeteer-core fetches none).
const chromium = "/usr/bin/chromium";
ensureDebianPackages(
  "chromium",
  ["chromium", "chromium-driver"],
  () => existsSync(chromium),
  "the JupyterLab extension's browser tests cannot run",
);

await step(
  "npm-packages",
  hashOf(join(root, "package-lock.json"), join(root, "package.json")),
  () => existsSync(join(root, "node_modules", ".package-lock.json")),
  () =>
    run("npm-packages", "npm", ["ci", "--no-audit", "--no-fund"], {
      fix: "run `npm ci` and read its error",
    }),
);

// Always checked (fast when built): `npm ci` wipes the binding, and the check itself is a require.
// A failed native build is not fatal: Kiln falls back to WebAssembly, and `kiln doctor` says so.
const { ensureNativeTfjs, NativeTfjsBuildError } = await import("./tfjs-native.mjs");
try {
  await ensureNativeTfjs({
    root,
    cacheDir: join(root, ".kiln", "cache"),
    log: (line) => log(`tfjs-native: ${line}`),
  });
} catch (error) {
  if (!(error instanceof NativeTfjsBuildError)) throw error;
  log(`WARNING: native TensorFlow is unavailable, Kiln will use WebAssembly: ${error.message}`);
}

await step(
  "python-venv",
  hashOf(join(root, "requirements.txt")),
  () => existsSync(venvPython),
  () => {
    if (!existsSync(venvPython)) {
      run("python-venv", "python3", ["-m", "venv", venv], {
        fix: "install python3 with the venv module (Debian: apt-get install python3-venv)",
      });
    }
    run(
      "python-venv",
      venvPython,
      ["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements.txt"],
      {
        fix: "check that PyPI is reachable, then run `npm run setup` again",
      },
    );
  },
);

// The data of notebooks/image-classification.ipynb: scikit-learn's bundled 8×8 digits (no
// download), exported from .venv to a CSV. Generated rather than committed (notebooks/data/ is
// ignored); the stamp covers the script and the pinned scikit-learn.
const digitsExport = join(root, "scripts", "export_digits.py");
const digitsCsv = join(root, "notebooks", "data", "digits.csv");
await step(
  "digits-data",
  hashOf(digitsExport, join(root, "requirements.txt")),
  () => existsSync(digitsCsv),
  () =>
    run("digits-data", venvPython, [digitsExport, digitsCsv], {
      fix: "check that .venv has scikit-learn (requirements.txt), then run `npm run setup` again",
    }),
);

// A second virtualenv with Evidently, the reference the drift statistics tests compare Kiln
// against. Evidently 0.7.23 imports pandas internals that pandas 3 removed while .venv pins
// pandas 3, so it gets its own pinned set; under .kiln/ it stays out of git, lint and format.
const evidentlyVenv = join(root, ".kiln", "venv-evidently");
const evidentlyPython = join(evidentlyVenv, "bin", "python");
await step(
  "evidently-venv",
  hashOf(join(root, "requirements-evidently.txt")),
  () => existsSync(evidentlyPython),
  () => {
    if (!existsSync(evidentlyPython)) {
      run("evidently-venv", "python3", ["-m", "venv", evidentlyVenv], {
        fix: "install python3 with the venv module (Debian: apt-get install python3-venv)",
      });
    }
    run(
      "evidently-venv",
      evidentlyPython,
      [
        ...["-m", "pip", "install", "--disable-pip-version-check", "-q"],
        ...["-r", "requirements-evidently.txt"],
      ],
      { fix: "check that PyPI is reachable, then run `npm run setup` again" },
    );
  },
);

// tslab ships its own TypeScript 5.0 with a `tsc` bin too, and npm links whichever package it
// installed last: point `tsc` back at the project's TypeScript, which the code is written for.
const tscLink = join(root, "node_modules", ".bin", "tsc");
const projectTsc = join("..", "typescript", "bin", "tsc");
if (readlinkOrNull(tscLink) !== projectTsc) {
  rmSync(tscLink, { force: true });
  symlinkSync(projectTsc, tscLink);
  log("typescript: node_modules/.bin/tsc now runs the project's TypeScript, not tslab's");
}

run("typescript-build", join(root, "node_modules", "typescript", "bin", "tsc"), ["-b"], {
  fix: "fix the compile errors above",
});

const tslab = join(root, "node_modules", ".bin", "tslab");
const kernelJson = join(venv, "share", "jupyter", "kernels", "tslab", "kernel.json");
await step(
  "tslab-kernel",
  hashOf(tslab, venvPython, join(root, "package-lock.json")),
  () => existsSync(kernelJson) && readFileSync(kernelJson, "utf8").includes(tslab),
  () =>
    run(
      "tslab-kernel",
      tslab,
      ["install", `--python=${venvPython}`, `--binary=${tslab}`, "--sys-prefix"],
      {
        fix: "check that .venv has jupyter_client (it comes with jupyterlab in requirements.txt)",
      },
    ),
);

// The JupyterLab extension (extension/), compiled by `tsc -b` above: webpack bundles it with
// JupyterLab's builder, then pip installs the kiln_jupyterlab package into .venv, as
// `pip install ./extension` would. Its build backend is pinned in requirements.txt and used
// without build isolation: no download, and the build hook finds the bundle already made.
const extensionDir = join(root, "extension");
const installedExtension = join(venv, "share", "jupyter", "labextensions", "@kiln", "jupyterlab");
await step(
  "jupyterlab-extension",
  hashOfTrees(
    [extensionDir, join(root, "kernel-lib", "src", "spec")],
    join(root, "tsconfig.base.json"),
    join(root, "package-lock.json"),
    join(root, "requirements.txt"),
  ),
  () =>
    existsSync(join(installedExtension, "package.json")) &&
    existsSync(join(extensionDir, "kiln_jupyterlab", "labextension", "package.json")),
  () => {
    run("jupyterlab-extension", join(venv, "bin", "jupyter-builder"), ["build", extensionDir], {
      fix: "read the webpack errors above; `npm run setup` again after fixing them",
    });
    run(
      "jupyterlab-extension",
      venvPython,
      [
        ...["-m", "pip", "install", "--disable-pip-version-check", "-q"],
        ...["--no-build-isolation", "--no-deps", "--force-reinstall", extensionDir],
      ],
      { fix: "read pip's error above; `.venv/bin/pip install ./extension` shows it again" },
    );
  },
);

log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
