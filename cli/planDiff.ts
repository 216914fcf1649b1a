// What changes inside a resource between the stack as committed and the stack as planned, one line
// per changed leaf: `spec.rules[1].backendRefs[0].weight: 100 → 70`. Pure: no Pulumi import.

import { specialResourceSig, specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc.js";

export interface LeafChange {
    path: string;
    before: string;
    after: string;
}

const NONE = "(none)";

function isSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

function isReference(value: unknown): value is { urn: string } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialResourceSig;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
    return typeof value === "object" && value !== null && !isSecret(value) && !isReference(value);
}

/** A leaf as a person reads it: strings quoted, a secret never shown, a value computed during the update named as such. */
export function showLeaf(value: unknown): string {
    if (value === undefined) return NONE;
    if (isSecret(value)) return "[secret]";
    if (value === unknownValue) return "(known after the update)";
    if (isReference(value)) return value.urn;
    return JSON.stringify(value);
}

function join(path: string, key: string | number): string {
    if (typeof key === "number") return `${path}[${key}]`;
    if (key.startsWith('["')) return `${path}${key}`;
    return path === "" ? key : `${path}.${key}`;
}

function same(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/** Every changed leaf between two values in Pulumi's wire encoding, in path order. */
export function leafChanges(before: unknown, after: unknown, path = ""): LeafChange[] {
    if (isContainer(before) && isContainer(after) && Array.isArray(before) === Array.isArray(after)) {
        const keys = Array.isArray(before)
            ? Array.from({ length: Math.max(before.length, (after as unknown[]).length) }, (_, i) => i)
            : [...new Set([...Object.keys(before), ...Object.keys(after as object)])].sort();
        return keys.flatMap((key) =>
            leafChanges((before as Record<string | number, unknown>)[key], (after as Record<string | number, unknown>)[key], join(path, key)),
        );
    }
    if (isContainer(before) && after === undefined) return leafChanges(before, Array.isArray(before) ? [] : {}, path);
    if (before === undefined && isContainer(after)) return leafChanges(Array.isArray(after) ? [] : {}, after, path);
    if (isSecret(before) && isSecret(after)) return same(before.value, after.value) ? [] : [{ path, before: "[secret]", after: "[secret]" }];
    if (same(before, after)) return [];
    return [{ path, before: showLeaf(before), after: showLeaf(after) }];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isNamedList(value: unknown): value is { name: string }[] {
    return (
        Array.isArray(value) &&
        value.every((item) => isContainer(item) && !Array.isArray(item) && typeof (item as { name?: unknown }).name === "string") &&
        new Set(value.map((item) => (item as { name: string }).name)).size === value.length
    );
}

/**
 * A container's `env` keyed by variable name instead of list position, so that adding one variable
 * shows as that variable (`env.LOG_LEVEL: (none) → "debug"`), not as every later entry shifting by
 * one. An entry with only a value becomes that value; one with valueFrom keeps its other fields.
 */
export function envByName(value: unknown, key?: string): unknown {
    if (key === "env" && isNamedList(value)) {
        return Object.fromEntries(
            value.map(({ name, ...rest }) => {
                const field = IDENTIFIER.test(name) ? name : `[${JSON.stringify(name)}]`;
                const keys = Object.keys(rest);
                return [field, keys.length === 1 && keys[0] === "value" ? (rest as Record<string, unknown>).value : rest];
            }),
        );
    }
    if (Array.isArray(value)) return value.map((item) => envByName(item));
    if (isContainer(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, envByName(v, k)]));
    return value;
}
