// Where a client sends predictions to an endpoint (server/src/serving/).

/** An endpoint's prediction URLs. */
export type EndpointUrls = {
  /** Open Inference Protocol v2 (KServe, Triton clients). */
  infer: string;
  /** MLflow's scoring protocol, for apps moving off `mlflow models serve`. */
  invocations: string;
};

/**
 * The prediction URLs of `endpoint` on the Kiln server at `serverUrl` (a path prefix is kept).
 *
 * @example
 * ```ts
 * endpointUrls("http://127.0.0.1:8700/", "drill").infer;
 * // "http://127.0.0.1:8700/v2/models/drill/infer"
 * ```
 */
export function endpointUrls(serverUrl: string, endpoint: string): EndpointUrls {
  const base = serverUrl.replace(/\/+$/, "");
  const name = encodeURIComponent(endpoint);
  return {
    infer: `${base}/v2/models/${name}/infer`,
    invocations: `${base}/endpoints/${name}/invocations`,
  };
}
