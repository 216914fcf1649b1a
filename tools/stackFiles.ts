// Reads Pulumi.yaml and Pulumi.<stack>.yaml into the config the CLI would hand the program: stack
// values as strings (objects JSON-encoded), project defaults applied where the stack is silent,
// required keys enforced, and secure values replaced by placeholders marked secret. Used by the
// offline plan, the benchmark and the tests, which run without the Pulumi CLI.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../components/stackConfig.ts";

export const PROJECT_ROOT = PROJECT_DIR;

export interface StackConfig {
    project: string;
    stack: string;
    /** Full keys (`switchyard:greenWeight`) to values as the SDK receives them. */
    config: Record<string, string>;
    secretKeys: string[];
}

export interface ProjectFile {
    name: string;
    /** Entry point, relative to Pulumi.yaml; the directory when unset. */
    main?: string;
    runtime: string | { name: string; options?: { typescript?: boolean; nodeargs?: string } };
    config?: Record<string, { default?: unknown; value?: unknown; type?: string } | string | number | boolean>;
}

/** What `pulumi config` shows instead of a secret it cannot decrypt here. */
export const SECRET_PLACEHOLDER = "[secret]";

function readYaml<T>(path: string): T {
    return parse(readFileSync(path, "utf8")) as T;
}

export function readProjectFile(root = PROJECT_ROOT): ProjectFile {
    return readYaml<ProjectFile>(join(root, "Pulumi.yaml"));
}

/** Replaces `{secure: ...}` anywhere in a value with the placeholder; reports whether it found one. */
function redactSecure(value: unknown): { value: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(redactSecure);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0]![0] === "secure") return { value: SECRET_PLACEHOLDER, secret: true };
        const mapped = entries.map(([k, v]) => [k, redactSecure(v)] as const);
        return {
            value: Object.fromEntries(mapped.map(([k, v]) => [k, v.value])),
            secret: mapped.some(([, v]) => v.secret),
        };
    }
    return { value, secret: false };
}

/** The SDK's representation of a config value: scalars as text, lists and objects as JSON. */
export function configText(value: unknown): string {
    return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function fullKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * Config for a stack as the CLI would pass it. `overrides` act like `pulumi config set key value`
 * on top of the stack file (keys without namespace belong to the project).
 */
export function loadStackConfig(stack: string, overrides: Record<string, string> = {}, root = PROJECT_ROOT): StackConfig {
    const project = readProjectFile(root);
    const stackFile = readYaml<{ config?: Record<string, unknown> } | null>(join(root, `Pulumi.${stack}.yaml`));
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, raw] of Object.entries(stackFile?.config ?? {})) {
        const { value, secret } = redactSecure(raw);
        config[fullKey(project.name, key)] = configText(value);
        if (secret) secretKeys.push(fullKey(project.name, key));
    }
    for (const [key, value] of Object.entries(overrides)) config[fullKey(project.name, key)] = value;
    const missing: string[] = [];
    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        const full = fullKey(project.name, key);
        if (full in config) continue;
        const isDeclaration = typeof declaration === "object" && declaration !== null;
        const fallback = isDeclaration ? (declaration.default ?? declaration.value) : declaration;
        if (fallback !== undefined) config[full] = configText(fallback);
        else if (!key.includes(":")) missing.push(key);
    }
    if (missing.length > 0) {
        throw new Error(`Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${missing.map((k) => `'${k}'`).join(", ")}`);
    }
    return { project: project.name, stack, config, secretKeys };
}

/** Parses `--set key=value` arguments. */
export function parseOverrides(pairs: string[]): Record<string, string> {
    const overrides: Record<string, string> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new Error(`--set expects key=value, got "${pair}"`);
        overrides[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return overrides;
}
