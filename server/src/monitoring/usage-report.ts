import { quantile } from "./performance-metrics";
import { monitoringTables } from "./prediction-log-lake";
import type { PredictionLogReader } from "./prediction-log-reader";

const DAY_MS = 86_400_000;

/** Requests of one version within one day. */
export type VersionUsage = { requests: number; rows: number; errors4xx: number; errors5xx: number };

/** Usage of an endpoint over one period (a UTC day, or the whole report). */
export type UsageTotals = {
  /** Scoring requests answered, errors included. */
  requests: number;
  /** Rows scored by successful requests. */
  rows: number;
  errors: { "4xx": number; "5xx": number };
  /** Shares of `requests`; null without requests. */
  errorRate: { "4xx": number | null; "5xx": number | null };
  /** Time to answer successful requests, in milliseconds; null without any. */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /** Share of rows the fallback model answered; null without rows. */
  fallbackRate: number | null;
  /** By model version. */
  versions: Record<string, VersionUsage>;
};

/** What `GET /api/endpoints/{name}/usage` answers. */
export type UsageReport = {
  endpoint: string;
  days: number;
  from: string;
  to: string;
  total: UsageTotals;
  /** One entry per UTC day, oldest first, days without traffic included. */
  daily: (UsageTotals & { date: string })[];
};

type Tally = {
  requests: number;
  rows: number;
  fallbackRows: number;
  errors4xx: number;
  errors5xx: number;
  latencies: number[];
  versions: Record<string, VersionUsage>;
};

/**
 * An endpoint's usage over the last `days` UTC days (today included) from its requests table
 * (`requests__<endpoint>`, one row per scoring request, never sampled, errors included, kept
 * across restarts): requests and rows per day and version, 4xx and 5xx rates, latency
 * percentiles of successful requests (linear interpolation), and the fallback rate.
 *
 * @example
 * const usage = await usageReport(reader, "drill", 7);
 * usage.daily.at(-1)?.latencyMs.p95;
 */
export async function usageReport(
  reader: PredictionLogReader,
  endpoint: string,
  days: number,
  now = Date.now(),
): Promise<UsageReport> {
  const firstDay = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  const tallies = Array.from({ length: days }, emptyTally);
  const total = emptyTally();
  await reader.scan(
    monitoringTables(endpoint).requests,
    ["ts", "model_version", "status", "latency_ms", "rows", "fallback_rows"],
    (batch) => {
      const [ts, versions, statuses, latencies, rows, fallbackRows] = [
        batch["ts"]!,
        batch["model_version"]!,
        batch["status"]!,
        batch["latency_ms"]!,
        batch["rows"]!,
        batch["fallback_rows"]!,
      ];
      for (let i = 0; i < ts.length; i++) {
        const day = Math.floor(((ts[i] as number) - firstDay) / DAY_MS);
        if (day < 0 || day >= days) continue;
        const request = {
          version: String(versions[i]),
          status: statuses[i] as number,
          latencyMs: latencies[i] as number,
          rows: (rows[i] as number) ?? 0,
          fallbackRows: (fallbackRows[i] as number) ?? 0,
        };
        count(tallies[day]!, request);
        count(total, request);
      }
    },
    firstDay,
  );
  return {
    endpoint,
    days,
    from: new Date(firstDay).toISOString(),
    to: new Date(now).toISOString(),
    total: totals(total),
    daily: tallies.map((tally, day) => ({
      date: new Date(firstDay + day * DAY_MS).toISOString().slice(0, 10),
      ...totals(tally),
    })),
  };
}

function emptyTally(): Tally {
  return {
    requests: 0,
    rows: 0,
    fallbackRows: 0,
    errors4xx: 0,
    errors5xx: 0,
    latencies: [],
    versions: {},
  };
}

function count(
  tally: Tally,
  request: {
    version: string;
    status: number;
    latencyMs: number;
    rows: number;
    fallbackRows: number;
  },
): void {
  const version = (tally.versions[request.version] ??= {
    requests: 0,
    rows: 0,
    errors4xx: 0,
    errors5xx: 0,
  });
  tally.requests += 1;
  version.requests += 1;
  if (request.status >= 500) {
    tally.errors5xx += 1;
    version.errors5xx += 1;
  } else if (request.status >= 400) {
    tally.errors4xx += 1;
    version.errors4xx += 1;
  } else {
    tally.rows += request.rows;
    version.rows += request.rows;
    tally.fallbackRows += request.fallbackRows;
    tally.latencies.push(request.latencyMs);
  }
}

function totals(tally: Tally): UsageTotals {
  const latencies = [...tally.latencies].sort((a, b) => a - b);
  const share = (n: number, of: number) => (of === 0 ? null : n / of);
  return {
    requests: tally.requests,
    rows: tally.rows,
    errors: { "4xx": tally.errors4xx, "5xx": tally.errors5xx },
    errorRate: {
      "4xx": share(tally.errors4xx, tally.requests),
      "5xx": share(tally.errors5xx, tally.requests),
    },
    latencyMs: {
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      p99: quantile(latencies, 0.99),
    },
    fallbackRate: share(tally.fallbackRows, tally.rows),
    versions: tally.versions,
  };
}
