/**
 * The error of getting a report from the Kiln server: which URL was asked, what the server
 * answered (its status and error message, when it answered at all) and what to do about it.
 *
 * @example
 * ```ts
 * try {
 *   await kiln.report({ endpoint: "wafer-quality" });
 * } catch (err) {
 *   if (err instanceof ReportFetchError && err.status === 401) console.log("set KILN_ADMIN_KEY");
 *   throw err;
 * }
 * ```
 */
export class ReportFetchError extends Error {
  override name = "ReportFetchError";
  constructor(
    message: string,
    /** The URL asked. */
    readonly url: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    /** The server's own error message, when it sent one. */
    readonly serverMessage?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
