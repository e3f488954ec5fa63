// A step's state in a run as the graph's nodes and the step details write it.

import type { StepStatus } from "@kiln/kernel-lib/spec";
import { formatDuration } from "./format-duration";
import type { ShownStep } from "./shown-run";

const STATUS_TEXT: Record<StepStatus, string> = {
  pending: "pending",
  running: "running…",
  cached: "cached",
  succeeded: "succeeded",
  failed: "failed",
  skipped: "skipped",
};

/**
 * The status, and how long the step took once it has ended.
 *
 * @example
 * ```ts
 * statusText({ status: "succeeded", durationMs: 1234 }); // "succeeded · 1.2 s"
 * ```
 */
export function statusText(step: ShownStep): string {
  const text = STATUS_TEXT[step.status];
  if (step.durationMs === undefined || step.status === "skipped") return text;
  return `${text} · ${formatDuration(step.durationMs)}`;
}
