/**
 * The native TensorFlow backend (`@tensorflow/tfjs-node`) could not load, so Kiln runs on
 * WebAssembly. Not thrown at users: {@link loadTensorflow} returns it as `nativeError` and prints
 * its message, which is a single line, as the warning.
 *
 * @example
 * ```ts
 * const loaded = await loadTensorflow();
 * if (loaded.nativeError) console.log(loaded.nativeError.reason, loaded.nativeError.fix);
 * ```
 */
export class NativeTensorflowUnavailable extends Error {
  override readonly name = "NativeTensorflowUnavailable";
  /** First line of the underlying error, e.g. `libtensorflow_cc.so.2: cannot open shared object file`. */
  readonly reason: string;
  /** What the user can do about it. */
  readonly fix: string;

  constructor(init: { reason: string; fix: string; using: string; cause?: unknown }) {
    super(
      `Kiln: native TensorFlow backend unavailable (${init.reason}); using ${init.using}, ` +
        `so training and inference are slower. Fix: ${init.fix}`,
      { cause: init.cause },
    );
    this.reason = init.reason;
    this.fix = init.fix;
  }
}

/** First non-empty line of whatever was thrown, so a multi-line dlopen error stays one line. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (
    text
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line.length > 0) ?? "unknown error"
  );
}
