// The `switchyard:` namespace: its keys, the readers of a top-level key's shape (a list, an object,
// a boolean), and the hint for a key that is not one. Pure.

import { ObjectReader, Problems, closest, isPlainObject, parseStructured, unknownKeyHint } from "../validation.ts";

export const PROJECT = "switchyard";

/** Full config keys (`switchyard:greenWeight`, `aws:region`) split into this namespace's keys and the others. */
export function switchyardKeys(all: Readonly<Record<string, string>>): { raw: Record<string, string>; otherKeys: Record<string, string> } {
    const prefix = `${PROJECT}:`;
    const raw: Record<string, string> = {};
    const otherKeys: Record<string, string> = {};
    for (const [key, value] of Object.entries(all)) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
        else otherKeys[key] = value;
    }
    return { raw, otherKeys };
}

/** Every key of the `switchyard:` namespace. Keep in step with Pulumi.yaml (a test checks). */
export const CONFIG_KEYS = [
    "greenWeight",
    "idleReplicas",
    "clusters",
    "services",
    "kubeconfig",
    "requireImageDigests",
    "dns",
    "aws",
    "images",
    "cohorts",
    "mirror",
    "capacity",
    "rollout",
    "fleet",
    "scope",
] as const;

export function readBoolean(key: string, raw: string | undefined, problems: Problems): boolean {
    if (raw === undefined || raw === "false") return false;
    if (raw === "true") return true;
    problems.add(`${PROJECT}:${key}`, raw, "true or false");
    return false;
}

export function readList<T>(key: string, raw: string | undefined, problems: Problems, read: (item: unknown, path: string, index: number) => T | undefined): T[] {
    const path = `${PROJECT}:${key}`;
    if (raw === undefined) {
        problems.add(path, undefined, `a non-empty list of ${key} in the stack file (or in the fleet file ${PROJECT}:fleet names)`);
        return [];
    }
    const value = parseStructured(path, raw, problems, "a YAML list or object");
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.length === 0) {
        problems.add(path, value, `a non-empty list of ${key}`);
        return [];
    }
    return value.flatMap((item, i) => {
        const parsed = read(item, `${path}[${i}]`, i);
        return parsed === undefined ? [] : [parsed];
    });
}

export function readObjectKey<T>(key: string, raw: string | undefined, known: readonly string[], problems: Problems, read: (r: ObjectReader) => T): T | undefined {
    if (raw === undefined) return undefined;
    const value = parseStructured(`${PROJECT}:${key}`, raw, problems, "a YAML list or object");
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) {
        problems.add(`${PROJECT}:${key}`, value, `an object with ${known.join(", ")}`);
        return undefined;
    }
    return read(new ObjectReader(value, `${PROJECT}:${key}`, problems, known));
}

/**
 * The hint for an unknown key. `pulumi config set switchyard.greenWeight 30` stores the key
 * `switchyard.greenWeight` in the project's namespace, and with --path a `switchyard` object: both
 * mean the namespace was written with a dot.
 */
export function keyHint(key: string): string {
    const dotted = /^switchyard[.:](.+)$/.exec(key);
    if (key === PROJECT || dotted) {
        const name = dotted ? closest(dotted[1]!, CONFIG_KEYS) ?? dotted[1]! : "<key>";
        return `did you mean "${name}"? A namespace and its key are separated by a colon: ${PROJECT}:${name}`;
    }
    return unknownKeyHint(key, CONFIG_KEYS);
}
