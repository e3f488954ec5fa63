import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  createApiKey,
  KEY_SCOPES,
  listApiKeys,
  revokeApiKey,
  type KeyScope,
} from "../auth/api-keys";
import { kilnPaths } from "../paths";
import { UsageError } from "./usage-error";

const keysFile = () => join(kilnPaths.state, "keys.json");

/** `kiln keys create --scope admin|predict [--label L]`, `kiln keys list`, `kiln keys revoke ID`. */
export async function keysCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case "create": {
      const { values } = parseArgs({
        args: rest,
        options: { scope: { type: "string" }, label: { type: "string" } },
      });
      if (!values.scope || !KEY_SCOPES.includes(values.scope as KeyScope)) {
        throw new UsageError(
          `--scope must be one of ${KEY_SCOPES.join(", ")}: kiln keys create --scope predict [--label NAME]`,
        );
      }
      const { key, stored } = createApiKey(keysFile(), values.scope as KeyScope, values.label);
      // Shown once, to the user who asked for it; only its hash is stored.
      console.log(key);
      console.error(
        `Created ${stored.scope} key ${stored.id}${stored.label ? ` (${stored.label})` : ""}. Store it now: Kiln keeps only its hash.`,
      );
      return;
    }
    case "list": {
      const keys = listApiKeys(keysFile());
      if (keys.length === 0)
        console.log("No keys yet: create one with `kiln keys create --scope admin`.");
      for (const k of keys)
        console.log(`${k.id}  ${k.scope.padEnd(7)}  ${k.createdAt}  ${k.label ?? ""}`);
      return;
    }
    case "revoke": {
      const [id, ...extra] = rest;
      if (!id || extra.length > 0)
        throw new UsageError("Expected: kiln keys revoke ID (ids are in `kiln keys list`)");
      if (!revokeApiKey(keysFile(), id))
        throw new UsageError(`No key with id "${id}": see \`kiln keys list\`.`);
      console.log(`Revoked key ${id}.`);
      return;
    }
    default:
      throw new UsageError(
        "Expected: kiln keys create --scope admin|predict [--label L] | kiln keys list | kiln keys revoke ID",
      );
  }
}
