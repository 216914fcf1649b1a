// `switchyard:fleet`: the fleet's shape — clusters, services, cohorts, capacity, rollout and the
// rest — in a versioned YAML file of the repository, shared by every stack of the fleet, so no
// stack's config grows with the fleet (Linux caps the one variable the config travels in at
// 128 KiB). The file's keys are read by the same readers as stack config; this module only finds
// the file, checks which keys it may hold, and hands them over as the SDK hands config over. Pure.

import { parseDocument } from "yaml";
import { isPlainObject, unknownKeyHint, type Problems } from "../validation.ts";
import { CONFIG_KEYS, PROJECT } from "./keys.ts";
import type { ParseEnvironment, RawConfig } from "./types.ts";

/** Keys that stay in each stack's own file, and why. */
const STACK_ONLY: Record<string, string> = {
    greenWeight: "each stack's own weight: a flip edits the cluster stacks' files, never the shared fleet file",
    kubeconfig: "a secret, which only a stack file can hold",
    fleet: "the stack file's pointer to this file",
    scope: "what each stack holds of the fleet",
};

/** The keys a fleet file holds: the fleet's shape, every stack key but those, and the groups. */
export const FLEET_FILE_KEYS: readonly string[] = [...CONFIG_KEYS.filter((key) => !(key in STACK_ONLY)), "groups"];

const FLEET_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+\.ya?ml$/;

export interface FleetSource {
    /** The file as the stack names it. */
    file: string;
    /** The fleet's name: the file's base name without its extension. */
    name: string;
    /** The keys the file sets. */
    keys: ReadonlySet<string>;
}

/** The fleet's name of a fleet file path: `fleets/prod.yaml` → `prod`. */
export function fleetNameOf(file: string): string {
    return file.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
}

/** A value as the Pulumi SDK hands config over: text as it is, anything else JSON-encoded. */
function asConfigText(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The stack's config with the fleet file's keys merged in, and where they came from. A key set both
 * in the file and in the stack (other than to Pulumi.yaml's default, which the CLI fills in for every
 * stack) is refused: one place decides each value.
 */
export function withFleetFile(raw: RawConfig, env: ParseEnvironment, problems: Problems): { raw: RawConfig; source?: FleetSource } {
    const file = raw.fleet;
    if (file === undefined || file === "") return { raw };
    const key = `${PROJECT}:fleet`;
    if (!FLEET_PATH.test(file)) {
        problems.add(key, file, "a YAML file's path inside the project, e.g. fleets/prod.yaml (relative, no '..')");
        return { raw };
    }
    const text = env.readFile?.(file);
    if (text === undefined) {
        problems.add(key, file, "a fleet file that exists, relative to the project directory (Pulumi.yaml's folder)");
        return { raw };
    }
    const document = parseDocument(text, { prettyErrors: true });
    if (document.errors.length > 0) {
        // The parser's first complaint, which names the line and column it stopped at.
        problems.add(key, file, `a YAML file that parses; ${document.errors[0]!.message.split("\n")[0]!.replace(/:$/, "")}`);
        return { raw };
    }
    let content: unknown;
    try {
        // A fleet file is the repository's own text, not untrusted input: anchors may repeat as often as the fleet needs.
        content = document.toJS({ maxAliasCount: -1 });
    } catch (error) {
        problems.add(key, file, `a YAML file whose anchors resolve; ${String((error as Error).message).split("\n")[0]}`);
        return { raw };
    }
    if (!isPlainObject(content)) {
        problems.add(key, file, `a YAML mapping of fleet keys (${FLEET_FILE_KEYS.join(", ")})`);
        return { raw };
    }
    const merged: Record<string, string | undefined> = { ...raw };
    const keys = new Set<string>();
    for (const [name, value] of Object.entries(content)) {
        if (value === undefined || value === null) continue;
        if (!FLEET_FILE_KEYS.includes(name)) {
            const why = STACK_ONLY[name];
            problems.add(`${file}: ${name}`, value, why ? `no ${name} in a fleet file: it is ${why}` : `no such fleet key; ${unknownKeyHint(name, FLEET_FILE_KEYS)}`);
            continue;
        }
        const inline = raw[name];
        if (inline !== undefined && inline !== env.projectDefaults?.[name]) {
            problems.add(`${PROJECT}:${name}`, inline, `nothing in the stack file while ${key} names ${file}, which sets ${name}: keep one of the two`);
            continue;
        }
        keys.add(name);
        merged[name] = asConfigText(value);
    }
    return { raw: merged, source: { file, name: fleetNameOf(file), keys } };
}

/**
 * Where a problem's path was written: a key from the fleet file is named by the file and its path
 * there (`fleets/prod.yaml: clusters[1].name`), any other as the stack file has it. Takes the
 * parser's FleetSource or a model's FleetSpec.
 */
export function fleetLabel(source: { file: string; keys: ReadonlySet<string> | readonly string[] } | undefined): (path: string) => string {
    const prefix = `${PROJECT}:`;
    const keys = new Set(source?.keys);
    return (path) => {
        if (!source || !path.startsWith(prefix)) return path;
        const rest = path.slice(prefix.length);
        const key = /^[^.[]*/.exec(rest)![0];
        return keys.has(key) ? `${source.file}: ${rest}` : path;
    };
}
