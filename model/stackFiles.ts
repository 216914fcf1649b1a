// Reads Pulumi.yaml and Pulumi.<stack>.yaml into the config the CLI would hand the program: stack
// values as strings (objects JSON-encoded), project defaults applied where the stack is silent,
// required keys enforced, and secure values replaced by placeholders marked secret. Used by the
// offline plan, the benchmark and the tests, which run without the Pulumi CLI.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT, switchyardKeys } from "./config/keys.ts";
import { parseStackConfig } from "./config/parse.ts";
import type { StackModel } from "./config/types.ts";
import { PROJECT_DIR } from "./projectDir.ts";
import { applyEdit, type ConfigEdit, type SecretValue } from "./configEdits.ts";
import { closest } from "./validation.ts";

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

/**
 * Replaces `{secure: ...}` anywhere in a value with the placeholder, and a secret set on the plan's
 * command line with its value; reports whether it found one.
 */
function redactSecure(value: unknown): { value: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(redactSecure);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0]![0] === "secure") return { value: SECRET_PLACEHOLDER, secret: true };
        if ("secure" in value && "plaintext" in value) return { value: (value as SecretValue).plaintext, secret: true };
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
 * Config for a stack as the CLI would pass it. `changes` act like `pulumi config set --path` on top
 * of the stack file: a record sets top-level keys to text (lists and objects as JSON), a list of
 * edits sets paths (model/configEdits.ts). Keys without namespace belong to the project.
 */
export function loadStackConfig(stack: string, changes: Record<string, string> | ConfigEdit[] = {}, root = PROJECT_ROOT): StackConfig {
    return stackConfigFromText(stack, readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8"), changes, root);
}

/** A stack file's `config` map as written, every key with its namespace (`switchyard:greenWeight`). */
export function stackFileConfig(text: string, project: string): Record<string, unknown> {
    const stackFile = parse(text) as { config?: Record<string, unknown> } | null;
    return Object.fromEntries(Object.entries(stackFile?.config ?? {}).map(([key, value]) => [fullKey(project, key), value]));
}

/** As loadStackConfig, from the text of the stack file (e.g. as committed, from git) instead of the file on disk. */
export function stackConfigFromText(stack: string, text: string, changes: Record<string, string> | ConfigEdit[] = {}, root = PROJECT_ROOT): StackConfig {
    const project = readProjectFile(root);
    const edits = Array.isArray(changes) ? changes : Object.entries(changes).map(([path, value]) => ({ path, value, secret: false }));
    let raw = stackFileConfig(text, project.name);
    for (const edit of edits) {
        // A record's key is a whole key, never a path: its value is the text as given.
        raw = Array.isArray(changes) ? applyEdit(raw, edit, project.name) : { ...raw, [fullKey(project.name, edit.path)]: edit.value };
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, rawValue] of Object.entries(raw)) {
        const { value, secret } = redactSecure(rawValue);
        config[key] = configText(value);
        if (secret) secretKeys.push(key);
    }
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

/** Pulumi.yaml's defaults of the project's keys (without namespace), as the SDK would hand them over. */
export function projectDefaults(project: ProjectFile): Record<string, string> {
    const defaults: Record<string, string> = {};
    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        if (key.includes(":") || typeof declaration !== "object" || declaration === null || declaration.default === undefined) continue;
        defaults[key] = configText(declaration.default);
    }
    return defaults;
}

/** A project file's text, or undefined when there is none (how the program reads its fleet file). */
export function readProjectText(root: string, relativePath: string): string | undefined {
    const path = join(root, relativePath);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** The stack's switchyard model, read by the program's own parser from config as the CLI passes it. */
export function stackModel(stackConfig: StackConfig, root = PROJECT_ROOT): StackModel {
    const { raw, otherKeys } = switchyardKeys(stackConfig.config);
    return parseStackConfig(raw, {
        isSecret: (key) => stackConfig.secretKeys.includes(`${PROJECT}:${key}`),
        pathExists: (relativePath) => existsSync(join(root, relativePath)),
        otherKeys,
        isOtherSecret: (key) => stackConfig.secretKeys.includes(key),
        readFile: (relativePath) => readProjectText(root, relativePath),
        projectDefaults: projectDefaults(readProjectFile(root)),
        stackName: stackConfig.stack,
    });
}

/** The stacks a project directory has a stack file for (`Pulumi.<stack>.yaml`), sorted. */
export function stackNames(root = PROJECT_ROOT): string[] {
    return readdirSync(root)
        .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/**
 * What to say for a stack without a stack file: the nearest stack there is (`prd` → prod), or the
 * ones there are. Undefined when the file exists.
 */
export function missingStack(stack: string, root = PROJECT_ROOT): string | undefined {
    const file = join(root, `Pulumi.${stack}.yaml`);
    if (existsSync(file)) return undefined;
    const stacks = stackNames(root);
    const guess = closest(stack, stacks);
    const here = stacks.length > 0 ? `stack files here: ${stacks.join(", ")}` : "there is no stack file here";
    return guess ? `no stack file ${file}: is the stack called ${guess}? (${here})` : `no stack file ${file} (${here})`;
}
