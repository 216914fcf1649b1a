// Readers for untyped config values that collect every problem instead of stopping at the first,
// so an operator fixes a bad stack file in one pass. Pure: no Pulumi import.

export class ConfigError extends Error {
    readonly problems: string[];
    constructor(problems: string[]) {
        super(
            `switchyard: ${problems.length} config problem${problems.length === 1 ? "" : "s"}; ` +
                `nothing was registered or changed:\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
        this.problems = problems;
    }
}

/** Renders a config value the way the operator typed it, short enough for one line. */
export function show(value: unknown): string {
    if (value === undefined) return "nothing (the key is missing)";
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export class Problems {
    readonly list: string[] = [];
    private readonly isSecret: (path: string) => boolean;
    private readonly label: (path: string) => string;

    /**
     * `isSecret` tells which paths hold secret values; those are never echoed back. `label` names
     * a path where the operator wrote it (a key from a fleet file as `fleets/prod.yaml: services[0]`).
     */
    constructor(isSecret: (path: string) => boolean = () => false, label: (path: string) => string = (path) => path) {
        this.isSecret = isSecret;
        this.label = label;
    }

    /** `path: got <value>; allowed: <allowed>` — the one shape every config error takes. */
    add(path: string, got: unknown, allowed: string): void {
        const value = got !== undefined && this.isSecret(path) ? "[secret]" : show(got);
        this.list.push(`${this.label(path)}: got ${value}; allowed: ${allowed}`);
    }

    throwIfAny(): void {
        if (this.list.length > 0) throw new ConfigError(this.list);
    }
}

/**
 * A structured key's value: Pulumi hands a stack file's YAML lists and objects over as JSON text.
 * Undefined, with the problem recorded, when the text does not parse (JSON never parses to undefined).
 * `shape` says what the key holds, e.g. "a YAML object".
 */
export function parseStructured(path: string, raw: string, problems: Problems, shape: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        problems.add(path, raw, `${shape} in the stack file (it did not parse as one)`);
        return undefined;
    }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Edit distance, for "did you mean" hints on mistyped keys. */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0]!;
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j]!;
            row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
    for (const candidate of candidates) {
        const d = distance(word.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

export function unknownKeyHint(key: string, known: readonly string[]): string {
    const guess = closest(key, known);
    return guess ? `did you mean "${guess}"? Known keys: ${known.join(", ")}` : `known keys: ${known.join(", ")}`;
}

const DIGITS = /^[0-9]+$/;

/** Accepts a JSON integer or a string of digits (stack files often quote numbers). */
export function asInteger(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isSafeInteger(value)) return value;
    if (typeof value === "string" && DIGITS.test(value)) {
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : undefined;
    }
    return undefined;
}

export interface IntegerRule {
    min: number;
    max?: number;
    /** What the value means, appended to the allowed range in errors. */
    meaning?: string;
}

export function describeRange(rule: IntegerRule): string {
    const range = rule.max === undefined ? `an integer >= ${rule.min}` : `an integer from ${rule.min} to ${rule.max}`;
    return rule.meaning ? `${range} (${rule.meaning})` : range;
}

/**
 * Reads the keys of one config object. Every read records its own problem; unknown keys are
 * reported with the nearest known key, since a typo would otherwise be silently ignored.
 */
export class ObjectReader {
    readonly path: string;
    private readonly data: Record<string, unknown>;
    private readonly problems: Problems;

    constructor(data: Record<string, unknown>, path: string, problems: Problems, known: readonly string[]) {
        this.data = data;
        this.path = path;
        this.problems = problems;
        for (const key of Object.keys(data)) {
            if (!known.includes(key)) problems.add(`${path}.${key}`, data[key], `no such key; ${unknownKeyHint(key, known)}`);
        }
    }

    has(key: string): boolean {
        return this.data[key] !== undefined && this.data[key] !== null;
    }

    raw(key: string): unknown {
        return this.data[key];
    }

    at(key: string): string {
        return `${this.path}.${key}`;
    }

    problem(key: string, allowed: string): void {
        this.problems.add(this.at(key), this.data[key], allowed);
    }

    string(key: string, allowed: string, options: { pattern?: RegExp; fallback?: string } = {}): string | undefined {
        const value = this.data[key];
        if (value === undefined || value === null) {
            if (options.fallback === undefined) this.problems.add(this.at(key), value, allowed);
            return options.fallback;
        }
        if (typeof value !== "string" || value.length === 0 || (options.pattern && !options.pattern.test(value))) {
            this.problems.add(this.at(key), value, allowed);
            return options.fallback;
        }
        return value;
    }

    /**
     * A Kubernetes quantity (`250m`, `1`, `0.5`, `256Mi`): int-or-string, as the API takes it, so a
     * YAML number (`cpu: 1`) reads as its text. Anything else, or text the pattern refuses, is a problem.
     */
    quantity(key: string, allowed: string, options: { pattern: RegExp; fallback: string }): string {
        const value = this.data[key];
        if (typeof value === "number" && Number.isFinite(value) && options.pattern.test(String(value))) return String(value);
        return this.string(key, allowed, options)!;
    }

    optionalString(key: string, allowed: string, pattern?: RegExp): string | undefined {
        return this.has(key) ? this.string(key, allowed, pattern ? { pattern } : {}) : undefined;
    }

    integer(key: string, rule: IntegerRule, fallback?: number): number {
        const value = this.data[key];
        if ((value === undefined || value === null) && fallback !== undefined) return fallback;
        const n = asInteger(value);
        if (n === undefined || n < rule.min || (rule.max !== undefined && n > rule.max)) {
            this.problems.add(this.at(key), value, describeRange(rule));
            return fallback ?? rule.min;
        }
        return n;
    }

    optionalInteger(key: string, rule: IntegerRule): number | undefined {
        return this.has(key) ? this.integer(key, rule) : undefined;
    }

    object(key: string, known: readonly string[], options: { required: boolean; allowed: string }): ObjectReader | undefined {
        const value = this.data[key];
        if (value === undefined || value === null) {
            if (options.required) this.problems.add(this.at(key), value, options.allowed);
            return undefined;
        }
        if (!isPlainObject(value)) {
            this.problems.add(this.at(key), value, options.allowed);
            return undefined;
        }
        return new ObjectReader(value, this.at(key), this.problems, known);
    }

    stringList(key: string, allowed: string, options: { pattern?: RegExp; minItems: number }): string[] {
        const value = this.data[key];
        if ((value === undefined || value === null) && options.minItems === 0) return [];
        if (!Array.isArray(value) || value.length < options.minItems) {
            this.problems.add(this.at(key), value, allowed);
            return [];
        }
        const items: string[] = [];
        value.forEach((item, i) => {
            if (typeof item !== "string" || (options.pattern && !options.pattern.test(item))) {
                this.problems.add(`${this.at(key)}[${i}]`, item, allowed);
            } else {
                items.push(item);
            }
        });
        return items;
    }

    /** A string→string map; numbers and booleans are accepted and kept as their text. */
    stringMap(key: string, allowed: string, keyPattern?: RegExp): Record<string, string> {
        const value = this.data[key];
        if (value === undefined || value === null) return {};
        if (!isPlainObject(value)) {
            this.problems.add(this.at(key), value, allowed);
            return {};
        }
        const result: Record<string, string> = {};
        for (const [name, item] of Object.entries(value)) {
            if (keyPattern && !keyPattern.test(name)) {
                this.problems.add(`${this.at(key)}.${name}`, name, allowed);
            } else if (typeof item === "string" || typeof item === "number" || typeof item === "boolean") {
                result[name] = String(item);
            } else {
                this.problems.add(`${this.at(key)}.${name}`, item, allowed);
            }
        }
        return result;
    }
}
