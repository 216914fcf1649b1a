// `--set path=value` for the offline plan, applied to a stack's config the way `pulumi config set
// --path` applies it (pulumi/pulumi sdk/go/common/resource/properties_path.go parsePropertyPath,
// sdk/go/common/resource/config/map.go Set, object.go Set and coerce). Pure: no Pulumi import.

export interface ConfigEdit {
    /** The path as typed, e.g. `clusters[1].greenWeight` (the project's namespace) or `aws:region`. */
    path: string;
    /** The value as typed on the command line. */
    value: string;
    /** Set with --set-secret: stored as a secret, as `pulumi config set --secret --path` does. */
    secret: boolean;
}

export class ConfigEditError extends Error {}

type PathElement = string | number;

/**
 * A property path as Pulumi parses it: names up to the next `.` or `[`, `[<index>]`, and `["quoted
 * name"]` (with `\"` inside); a leading `.` or a `.` before `[` is refused (strict mode).
 */
export function parsePropertyPath(path: string): PathElement[] {
    const elements: PathElement[] = [];
    if (path.startsWith(".")) throw new ConfigEditError(`${path}: a path starts with a name or an index`);
    let rest = path;
    while (rest.length > 0) {
        if (rest[0] === ".") {
            rest = rest.slice(1);
            if (rest.length === 0) throw new ConfigEditError(`${path}: a path ends with a name or an index`);
            if (rest[0] === "[") throw new ConfigEditError(`${path}: expected a name after "."`);
        } else if (rest[0] === "[") {
            if (rest[1] === '"') {
                let name = "";
                let i = 2;
                for (;;) {
                    if (i >= rest.length) throw new ConfigEditError(`${path}: missing closing quote in property name`);
                    if (rest[i] === '"') {
                        i++;
                        break;
                    }
                    if (rest[i] === "\\" && rest[i + 1] === '"') {
                        name += '"';
                        i += 2;
                    } else {
                        name += rest[i];
                        i++;
                    }
                }
                if (rest[i] !== "]") throw new ConfigEditError(`${path}: missing closing bracket in property access`);
                elements.push(name);
                rest = rest.slice(i + 1);
            } else {
                const close = rest.indexOf("]");
                if (close === -1) throw new ConfigEditError(`${path}: missing closing bracket in array index`);
                const segment = rest.slice(1, close);
                if (!/^-?[0-9]+$/.test(segment)) throw new ConfigEditError(`${path}: invalid array index "${segment}"`);
                elements.push(Number(segment));
                rest = rest.slice(close + 1);
            }
        } else {
            const end = rest.search(/[.[]/);
            const name = end === -1 ? rest : rest.slice(0, end);
            elements.push(name);
            rest = end === -1 ? "" : rest.slice(end);
        }
    }
    if (elements.length === 0) throw new ConfigEditError("empty config key path");
    return elements;
}

/** A value set through a path: "true"/"false" become booleans, integers without a leading 0 numbers, anything else a string. */
export function coerceValue(value: string): string | number | boolean {
    if (value === "true") return true;
    if (value === "false") return false;
    if (value.length > 1 && value.startsWith("0")) return value;
    if (/^-?[0-9]+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
    return value;
}

/** `key=value` from the command line, split at the first `=`; the path is checked at once. */
export function parseEdit(text: string, secret: boolean): ConfigEdit {
    const eq = text.indexOf("=");
    if (eq <= 0) throw new ConfigEditError(`expected path=value, got "${text}"`);
    const path = text.slice(0, eq);
    parsePropertyPath(path.slice(path.indexOf(":") + 1));
    return { path, value: text.slice(eq + 1), secret };
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function setIn(container: unknown, prefix: PathElement[], rest: PathElement[], value: unknown): unknown {
    if (rest.length === 0) return value;
    const [head, ...tail] = rest;
    const here = [...prefix, head!];
    // A missing container is created from the accessor's kind; at the top level a scalar is replaced too.
    let current = container;
    if (current === undefined || current === null || (prefix.length === 1 && !Array.isArray(current) && !isRecord(current))) {
        current = typeof head === "number" ? [] : {};
    }
    if (Array.isArray(current)) {
        if (typeof head !== "number") throw new ConfigEditError(`${here.join(".")}: key for an array must be an int`);
        if (head < 0 || head > current.length) throw new ConfigEditError(`${formatPath(here)}: array index out of range`);
        const copy = [...current];
        copy[head] = setIn(copy[head], here, tail, value);
        return copy;
    }
    if (!isRecord(current)) throw new ConfigEditError(`${formatPath(prefix)}: expected ${typeof head === "number" ? "an array" : "a map"}`);
    if (typeof head !== "string") throw new ConfigEditError(`${formatPath(here)}: key for a map must be a string`);
    return { ...current, [head]: setIn(current[head], here, tail, value) };
}

export function formatPath(path: PathElement[]): string {
    return path.map((e, i) => (typeof e === "number" ? `[${e}]` : i === 0 ? e : `.${e}`)).join("");
}

/** The marker model/stackFiles.ts reads as a secret value, like a `secure:` value in a stack file. */
export interface SecretValue {
    secure: string;
    plaintext: string;
}

/**
 * Applies one edit to stack config held as parsed YAML (full keys such as `switchyard:clusters`).
 * A top-level key takes the text as typed, as `pulumi config set` stores it; a nested one the
 * coerced value. Returns a new config object.
 */
export function applyEdit(config: Record<string, unknown>, edit: ConfigEdit, project: string): Record<string, unknown> {
    const colon = edit.path.indexOf(":");
    const namespace = colon === -1 ? project : edit.path.slice(0, colon);
    const path = parsePropertyPath(edit.path.slice(colon + 1));
    const root = path[0];
    if (typeof root !== "string" || root === "") throw new ConfigEditError(`${edit.path}: the first path segment must be a key name`);
    const key = `${namespace}:${root}`;
    const leaf: unknown = edit.secret ? ({ secure: "plan", plaintext: edit.value } satisfies SecretValue) : path.length === 1 ? edit.value : coerceValue(edit.value);
    return { ...config, [key]: setIn(config[key], [root], path.slice(1), leaf) };
}

function isSecure(value: unknown): boolean {
    return isRecord(value) && "secure" in value;
}

/**
 * The paths whose values differ between two stack configs (full keys to parsed YAML values), in
 * key order: each changed leaf, or the key or item added or removed as a whole. A secure value is
 * one leaf, never opened. Keys of the project's namespace are shown without it (`greenWeight`,
 * `clusters[1].greenWeight`), others with theirs (`aws:region`).
 */
export function changedPaths(before: Record<string, unknown>, after: Record<string, unknown>, project: string): string[] {
    const walk = (a: unknown, b: unknown, path: PathElement[]): PathElement[][] => {
        const bothArrays = Array.isArray(a) && Array.isArray(b);
        const bothMaps = isRecord(a) && isRecord(b) && !isSecure(a) && !isSecure(b);
        if (bothArrays || bothMaps) {
            const keys: PathElement[] = bothArrays
                ? Array.from({ length: Math.max((a as unknown[]).length, (b as unknown[]).length) }, (_, i) => i)
                : [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
            return keys.flatMap((key) => walk((a as Record<PathElement, unknown>)[key], (b as Record<PathElement, unknown>)[key], [...path, key]));
        }
        return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
    };
    const prefix = `${project}:`;
    return walk(before, after, []).map(([key, ...rest]) => {
        const name = String(key);
        const quoted = rest.map((e) => (typeof e === "string" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e) ? `["${e.replace(/"/g, '\\"')}"]` : e));
        const text = formatPath([name.startsWith(prefix) ? name.slice(prefix.length) : name, ...quoted]);
        return text.replace(/\.\["/g, '["');
    });
}
