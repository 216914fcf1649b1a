// Edits greenWeight values in a stack file's text in place: only the characters of each value (and,
// for a rollback, the comment on the stack's greenWeight line) change, so comments, quoting, key
// order and layout stay exactly as the operator wrote them and `git diff` shows one line per edit.
// Every edit is checked by parsing the result again before anyone writes it.

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Pair, type Scalar } from "yaml";
import { ROLLBACK_COMMENT_PREFIX } from "../components/advance.ts";
import type { WeightEdit } from "../components/rollout.ts";

export class StackEditError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackEditError";
    }
}

interface Splice {
    start: number;
    end: number;
    text: string;
}

function keyName(pair: Pair): string | undefined {
    return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/** The pair for `key` in a map, written with or without the project namespace. */
function findPair(map: unknown, project: string, key: string): Pair | undefined {
    if (!isMap(map)) return undefined;
    return map.items.find((pair) => isPair(pair) && [key, `${project}:${key}`].includes(keyName(pair) ?? "")) as Pair | undefined;
}

/** The value as the scalar already was: "25" stays quoted, 25 stays plain. */
function valueText(node: Scalar, value: number): string {
    if (node.type === "QUOTE_DOUBLE") return `"${value}"`;
    if (node.type === "QUOTE_SINGLE") return `'${value}'`;
    if (node.type === "PLAIN" || node.type === undefined) return String(value);
    throw new StackEditError(`cannot rewrite a ${node.type} scalar in place; write greenWeight as a plain number`);
}

function scalarSplice(node: unknown, value: number, where: string): Splice & { node: Scalar } {
    if (!isScalar(node) || !node.range) throw new StackEditError(`${where} is not a plain value this command can edit`);
    return { start: node.range[0], end: node.range[1], text: valueText(node, value), node };
}

function lineEnd(text: string, from: number): number {
    const end = text.indexOf("\n", from);
    return end === -1 ? text.length : end;
}

/** Sets, replaces or clears the comment after a value that ends its line; a value inside a flow collection keeps its line as is. */
function commentSplice(text: string, valueEnd: number, comment: string | undefined): Splice | undefined {
    const end = lineEnd(text, valueEnd);
    const rest = text.slice(valueEnd, end);
    const match = /^(\s*)(#.*)?$/.exec(rest.replace(/\r$/, ""));
    if (!match) return undefined;
    const existing = match[2];
    const carriageReturn = rest.endsWith("\r") ? "\r" : "";
    if (comment !== undefined) return { start: valueEnd, end, text: `  # ${comment}${carriageReturn}` };
    if (existing?.startsWith(`# ${ROLLBACK_COMMENT_PREFIX}`)) return { start: valueEnd, end, text: carriageReturn };
    return undefined;
}

function insertGreenWeight(text: string, config: unknown, project: string, value: number): Splice {
    if (!isMap(config) || config.flow || config.items.length === 0 || !isScalar(config.items[0]!.key) || !config.items[0]!.key.range) {
        throw new StackEditError(`the stack file has no ${project}:greenWeight and its config is not a block map this command can add it to`);
    }
    const keyStart = config.items[0]!.key.range[0];
    const lineStart = text.lastIndexOf("\n", keyStart - 1) + 1;
    const indent = text.slice(lineStart, keyStart);
    if (!/^[ ]*$/.test(indent)) throw new StackEditError(`cannot add ${project}:greenWeight next to a key that does not start its line`);
    return { start: lineStart, end: lineStart, text: `${indent}${project}:greenWeight: ${value}\n` };
}

function parse(text: string): Document {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new StackEditError(`the stack file does not parse as YAML: ${doc.errors[0]!.message}`);
    return doc;
}

function configValues(doc: Document, project: string): Record<string, unknown> {
    const js = (doc.toJS() ?? {}) as { config?: Record<string, unknown> };
    return Object.fromEntries(Object.entries(js.config ?? {}).map(([key, value]) => [key.includes(":") ? key : `${project}:${key}`, value]));
}

/** What the config should read after the edits, for the check against the edited text. */
function expectedValues(before: Record<string, unknown>, project: string, edits: readonly WeightEdit[]): Record<string, unknown> {
    const after = structuredClone(before);
    for (const edit of edits) {
        if (edit.cluster === undefined) {
            after[`${project}:greenWeight`] = edit.greenWeight;
        } else {
            ((after[`${project}:clusters`] as Record<string, unknown>[])[edit.cluster]!).greenWeight = edit.greenWeight;
        }
    }
    return after;
}

/** Compares numbers by value: a quoted "25" in the file is the number 25 to Pulumi. */
function normalized(value: unknown): unknown {
    if (typeof value === "string" && /^[0-9]+$/.test(value)) return Number(value);
    if (Array.isArray(value)) return value.map(normalized);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalized(v)]));
    return value;
}

/**
 * Applies weight edits to a stack file's text. `comment`, when given, replaces the comment on the
 * stack's greenWeight line (a rollback says there what failed and when); without it, a comment a
 * previous rollback left there is removed, and any other comment stays.
 */
export function editStackText(text: string, project: string, edits: readonly WeightEdit[], comment?: string): string {
    const doc = parse(text);
    const config = doc.get("config", true);
    const splices: Splice[] = [];
    for (const edit of edits) {
        if (edit.cluster === undefined) {
            const pair = findPair(config, project, "greenWeight");
            if (!pair) {
                splices.push(insertGreenWeight(text, config, project, edit.greenWeight));
                continue;
            }
            const splice = scalarSplice(pair.value, edit.greenWeight, `${project}:greenWeight`);
            splices.push(splice);
            const commentEdit = commentSplice(text, splice.end, comment?.replace(/[\r\n]+/g, "; "));
            if (commentEdit) splices.push(commentEdit);
        } else {
            const clusters = findPair(config, project, "clusters")?.value;
            const cluster = isSeq(clusters) ? clusters.items[edit.cluster] : undefined;
            const pair = findPair(cluster, project, "greenWeight");
            if (!pair) throw new StackEditError(`${project}:clusters[${edit.cluster}] has no greenWeight to change`);
            splices.push(scalarSplice(pair.value, edit.greenWeight, `${project}:clusters[${edit.cluster}].greenWeight`));
        }
    }
    let edited = text;
    for (const splice of [...splices].sort((a, b) => b.start - a.start)) {
        edited = edited.slice(0, splice.start) + splice.text + edited.slice(splice.end);
    }
    const expected = normalized(expectedValues(configValues(doc, project), project, edits));
    const actual = normalized(configValues(parse(edited), project));
    if (!isDeepStrictEqual(actual, expected)) {
        throw new StackEditError("editing the stack file in place would change more than the weights; nothing was written");
    }
    return edited;
}

/** Edits a stack file on disk; a reader sees the old file or the new one, never half of it. */
export function editStackFile(path: string, project: string, edits: readonly WeightEdit[], comment?: string): void {
    const edited = editStackText(readFileSync(path, "utf8"), project, edits, comment);
    const temporary = `${path}.switchyard-${process.pid}.tmp`;
    writeFileSync(temporary, edited);
    renameSync(temporary, path);
}
