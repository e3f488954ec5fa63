// Identifiers and error types shared by the extension's plugins, models and widgets.

/**
 * The plugin's id, `<npm name>:plugin`; it also names its settings (`schema/plugin.json`).
 *
 * @example
 * ```ts
 * const settings = await settingRegistry.load(PLUGIN_ID);
 * ```
 */
export const PLUGIN_ID = "@kiln/jupyterlab:plugin";

/** The id of the Kiln sidebar panel; its tab in the left sidebar carries it as `data-id`. */
export const PIPELINE_PANEL_ID = "kiln-pipeline-panel";

/**
 * The extension's command ids (`schema/plugin.json` places some in JupyterLab's toolbars).
 *
 * @example
 * ```ts
 * await app.commands.execute(CommandIDs.annotateCell);
 * ```
 */
export const CommandIDs = {
  /** Opens the annotation editor for the active cell (the cell toolbar's Kiln button). */
  annotateCell: "kiln:annotate-cell",
  /** Opens the current notebook's pipeline graph beside it (the Kiln sidebar's button). */
  openPipelineGraph: "kiln:open-pipeline-graph",
} as const;

/** Why a request to the Kiln server failed. */
export type KilnServerErrorReason = "invalid-url" | "unreachable" | "bad-response";

type KilnServerErrorOptions = {
  serverUrl: string;
  /** The answer, when the server gave one. */
  response?: Response;
  /** The Kiln server's error code (`NOTEBOOK_COMPILE`, `MODEL_VERSION_NOT_FOUND`, …). */
  code?: string;
  /** A notebook's compile problems, each with its cell, when the server sent them. */
  problems?: unknown[];
  cause?: unknown;
};

/**
 * A request to the Kiln server failed: `message` says what happened, `fix` what to do about it.
 * The one error type of the extension's boundary with the Kiln server (see `request.ts`).
 *
 * @example
 * ```ts
 * try {
 *   await checkKilnHealth(settings);
 * } catch (error) {
 *   if (error instanceof KilnServerError) showProblem(error.message, error.fix);
 *   else throw error;
 * }
 * ```
 */
export class KilnServerError extends Error {
  override readonly name = "KilnServerError";
  readonly serverUrl: string;
  readonly response: Response | undefined;
  readonly code: string | undefined;
  readonly problems: unknown[] | undefined;

  constructor(
    readonly reason: KilnServerErrorReason,
    message: string,
    readonly fix: string,
    options: KilnServerErrorOptions,
  ) {
    super(message, { cause: options.cause });
    this.serverUrl = options.serverUrl;
    this.response = options.response;
    this.code = options.code;
    this.problems = options.problems;
  }
}
