// The Endpoints section's "Drift" fact: what the server's monitoring says of an endpoint, from its
// policy and last check (docs/monitoring.md).

import type { ServedEndpoint } from "../api/endpoints-api";
import { formatPercent } from "./format-percent";

/** More drifted features than this are counted, not named: the fact stays one readable line. */
const MAX_NAMED_FEATURES = 5;

/**
 * Says whether `endpoint` is monitored and what its last check found of drift, plainly.
 *
 * @example
 * ```ts
 * driftStatusText({ name: "drill", monitoring: { policy: true, lastCheck: null } });
 * // "monitored; not checked yet"
 * driftStatusText({ name: "drill", monitoring: { policy: false, lastCheck: null } });
 * // "not monitored: no policy (set one with PUT /api/endpoints/drill/policy, see docs/monitoring.md)"
 * ```
 */
export function driftStatusText({
  name,
  monitoring,
}: Pick<ServedEndpoint, "name" | "monitoring">): string {
  if (!monitoring) return "not reported by this server";
  const { policy, lastCheck } = monitoring;
  if (!lastCheck) {
    return policy
      ? "monitored; not checked yet"
      : `not monitored: no policy (set one with PUT /api/endpoints/${name}/policy, see docs/monitoring.md)`;
  }
  const when = `at the last check (${new Date(lastCheck.at).toLocaleString()})`;
  const { drift, held } = lastCheck;
  const parts = [
    drift === null
      ? `not measured ${when}`
      : `${drift.datasetDrift ? "dataset drift" : "no dataset drift"} ${when}: ${driftedText(drift.drifted, drift.share)}`,
  ];
  if (held.length > 0) parts.push(`held: ${held.join("; ")}`);
  // A check from before the policy was removed: no further checks will come.
  if (!policy) parts.push("no policy now");
  return parts.join(" · ");
}

function driftedText(drifted: string[], share: number): string {
  if (drifted.length === 0) return `${formatPercent(share)} of features drifted`;
  const named = drifted.slice(0, MAX_NAMED_FEATURES).join(", ");
  const more = drifted.length - MAX_NAMED_FEATURES;
  return `${more > 0 ? `${named} and ${more} more` : named} drifted (${formatPercent(share)} of features)`;
}
