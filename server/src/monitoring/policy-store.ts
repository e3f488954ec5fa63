import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { definePolicy, type EndpointPolicy } from "./policy-definition";

/**
 * The endpoints' policies, kept in `<stateDir>/monitoring/policies.json` (written to a temp file
 * and renamed, so a crash never leaves half a file). Read back through `definePolicy`, so a file
 * edited by hand into something invalid is reported, not half-applied.
 *
 * @example
 * const store = new PolicyStore(".kiln");
 * store.set("drill", definePolicy(json));
 */
export class PolicyStore {
  readonly #file: string;

  constructor(stateDir: string) {
    this.#file = join(stateDir, "monitoring", "policies.json");
  }

  get(endpoint: string): EndpointPolicy | undefined {
    const raw = this.#read()[endpoint];
    return raw === undefined ? undefined : definePolicy(raw);
  }

  /** Every endpoint with a policy; a policy that no longer validates is reported in `invalid`. */
  all(): { policies: Map<string, EndpointPolicy>; invalid: { endpoint: string; error: string }[] } {
    const policies = new Map<string, EndpointPolicy>();
    const invalid: { endpoint: string; error: string }[] = [];
    for (const [endpoint, raw] of Object.entries(this.#read())) {
      try {
        policies.set(endpoint, definePolicy(raw));
      } catch (error) {
        invalid.push({ endpoint, error: (error as Error).message });
      }
    }
    return { policies, invalid };
  }

  set(endpoint: string, policy: EndpointPolicy): void {
    this.#write({ ...this.#read(), [endpoint]: policy });
  }

  /** Removes the endpoint's policy; false when it had none. */
  delete(endpoint: string): boolean {
    const all = this.#read();
    if (!(endpoint in all)) return false;
    delete all[endpoint];
    this.#write(all);
    return true;
  }

  #read(): Record<string, unknown> {
    if (!existsSync(this.#file)) return {};
    return JSON.parse(readFileSync(this.#file, "utf8")) as Record<string, unknown>;
  }

  #write(all: Record<string, unknown>): void {
    mkdirSync(join(this.#file, ".."), { recursive: true });
    const temp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(temp, this.#file);
  }
}
