// The rollback confirmation, in JupyterLab's own Dialog.

import { Dialog, showDialog } from "@jupyterlab/apputils";
import type { ServedEndpoint } from "../api/endpoints-api";

/**
 * Asks whether to serve `endpoint`'s previous version again.
 *
 * @example
 * ```ts
 * if (await confirmRollback(endpoint)) await endpoints.rollback(endpoint.name);
 * ```
 */
export async function confirmRollback(endpoint: ServedEndpoint): Promise<boolean> {
  const { current, previous } = endpoint;
  if (!previous) return false;
  const result = await showDialog({
    title: `Roll back ${endpoint.name}?`,
    body: `The endpoint serves ${current.model} v${current.version}. Roll back to ${previous.model} v${previous.version}? Requests in flight finish on the current version; rolling back again returns to v${current.version}.`,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: "Roll back" })],
  });
  return result.button.accept;
}
