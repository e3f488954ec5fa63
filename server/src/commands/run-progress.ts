import type { PipelineEvent, StepStatus } from "@kiln/kernel-lib";

const symbols: Record<StepStatus, string> = {
  pending: "·",
  running: "▶",
  cached: "≡",
  succeeded: "✓",
  failed: "✗",
  skipped: "–",
};

type StepLine = { status: StepStatus; durationMs?: number; error?: string };

/**
 * Renders a pipeline run's events for a terminal: a table of steps redrawn in place on a TTY,
 * one line per status change otherwise (CI logs, pipes).
 *
 * @example
 * const progress = new RunProgress(process.stdout);
 * await runPipeline(pipeline, { stateDir, onEvent: (e) => progress.update(e) });
 */
export class RunProgress {
  readonly #out: NodeJS.WriteStream;
  readonly #steps = new Map<string, StepLine>();
  #drawnLines = 0;
  #timer: NodeJS.Timeout | undefined;
  #started = new Map<string, number>();

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
  }

  update(event: PipelineEvent): void {
    switch (event.type) {
      case "run-started":
        this.#out.write(
          `Running ${event.pipeline} ${event.version} (run ${event.runId}${event.mlflowRunId ? `, MLflow run ${event.mlflowRunId}` : ""})\n`,
        );
        for (const step of event.steps) this.#steps.set(step, { status: "pending" });
        if (this.#out.isTTY) {
          this.#redraw();
          // Running steps show a live clock.
          this.#timer = setInterval(() => this.#redraw(), 500);
          this.#timer.unref();
        }
        return;
      case "step-status": {
        if (event.status === "running") this.#started.set(event.step, event.time);
        const line: StepLine = { status: event.status };
        if (event.durationMs !== undefined) line.durationMs = event.durationMs;
        if (event.error !== undefined) line.error = event.error;
        this.#steps.set(event.step, line);
        if (this.#out.isTTY) this.#redraw();
        else this.#out.write(`${this.#format(event.step, line)}\n`);
        return;
      }
      case "step-log":
        return; // logs are in the step's log file and MLflow; the table stays readable
      case "run-finished":
        if (this.#timer) clearInterval(this.#timer);
        if (this.#out.isTTY) this.#redraw();
        this.#out.write(`Run ${event.status} in ${seconds(event.durationMs)}\n`);
        return;
    }
  }

  #redraw(): void {
    const lines = [...this.#steps].map(([step, line]) => this.#format(step, line));
    if (this.#drawnLines > 0) this.#out.write(`\x1b[${this.#drawnLines}A`);
    for (const line of lines) this.#out.write(`\x1b[2K${line}\n`);
    this.#drawnLines = lines.length;
  }

  #format(step: string, line: StepLine): string {
    const since = this.#started.get(step);
    const duration =
      line.durationMs !== undefined
        ? seconds(line.durationMs)
        : line.status === "running" && since !== undefined
          ? seconds(Date.now() - since)
          : "";
    const error = line.error ? `  ${line.error.split("\n")[0]}` : "";
    return `  ${symbols[line.status]} ${step.padEnd(24)} ${line.status.padEnd(9)} ${duration.padStart(8)}${error}`;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
