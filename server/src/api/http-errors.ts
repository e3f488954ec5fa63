import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The JSON error body every Kiln endpoint answers with. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    fix?: string;
    /** Every problem found, each with its cell, when the error is a notebook that did not compile. */
    problems?: unknown[];
  };
}

/**
 * An error a handler throws for a client's mistake (4xx) or a known server state; the app's error
 * handler turns it into `{ error: { code, message, fix } }` with this status.
 *
 * @example
 * throw new KilnHttpError(404, "RUN_NOT_FOUND", `No run ${id}.`, "List runs with GET /api/pipelines/runs.");
 */
export class KilnHttpError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fix?: string,
  ) {
    super(status, { message });
  }

  body(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.fix ? { fix: this.fix } : {}) },
    };
  }
}
