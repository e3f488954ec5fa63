// bench/pipelines: the same 10-step notebook run
//   (a) by `kiln run`, cold (empty state: every step runs in its own process),
//   (b) by `kiln run` again with nothing changed (every step cached),
//   (c) by papermill with the tslab kernel (from .venv), top to bottom.
// Each is timed as a user would: wall clock of the whole command. Kiln and papermill both track
// to the same local MLflow server. Targets: a no slower than c; b at least 20x faster than c.
//
// usage: npm run bench:pipelines [-- --rounds 2]
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { startMlflowServer } from "../../kernel-lib/src";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "2" } } });
const rounds = Number(values.rounds);
const root = join(__dirname, "..", "..");
const notebook = join(__dirname, "ten-steps.ipynb");
const run = promisify(execFile);

async function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  await run(command, args, { env, cwd: __dirname, maxBuffer: 64 << 20 });
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "kiln-bench-pipelines-"));
  const mlflow = await startMlflowServer({ dir: join(work, "mlflow"), attachToEnv: false });
  const env = { ...process.env, MLFLOW_TRACKING_URI: mlflow.uri };
  const kiln = (stateDir: string) =>
    timed(process.execPath, [join(root, "server", "dist", "cli.js"), "run", notebook], {
      ...env,
      KILN_STATE_DIR: stateDir,
    });
  const papermill = () =>
    timed(
      join(root, ".venv", "bin", "papermill"),
      [notebook, join(work, "out.ipynb"), "-k", "tslab", "--no-progress-bar"],
      env,
    );
  try {
    const cold: number[] = [];
    const cached: number[] = [];
    const peer: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const stateDir = join(work, `state-${round}`);
      cold.push(await kiln(stateDir));
      cached.push(await kiln(stateDir));
      peer.push(await papermill());
      console.log(
        `round ${round + 1}: kiln cold ${cold[round]!.toFixed(2)} s, kiln cached ${cached[round]!.toFixed(2)} s, papermill ${peer[round]!.toFixed(2)} s`,
      );
    }
    const [a, b, c] = [Math.min(...cold), Math.min(...cached), Math.min(...peer)];
    console.log(`(a) kiln run, cold          ${a.toFixed(2)} s`);
    console.log(`(b) kiln run, all cached    ${b.toFixed(2)} s`);
    console.log(`(c) papermill (tslab)       ${c.toFixed(2)} s`);
    console.log(
      `a/c = ${(a / c).toFixed(2)} (target ≤ 1); b/c = ${(b / c).toFixed(3)}, i.e. ${(c / b).toFixed(1)}x faster (target ≥ 20x)`,
    );
  } finally {
    await mlflow.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
