// Edits greenWeight values (and cohort colors) in a stack file's text in place, and cohort colors
// in a fleet file's: only the characters of each value (and, for a rollback, the comment on the
// stack's greenWeight line) change, so comments, quoting, key order and layout stay exactly as the
// operator wrote them and `git diff` shows one line per edit. Every edit is checked by parsing the
// result again before anyone writes it.

import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Pair, type Scalar } from "yaml";
import { ROLLBACK_COMMENT_PREFIX } from "../model/advance.ts";
import { isCohortEdit, type CohortEdit, type StackEdit, type WeightEdit } from "../model/rollout.ts";

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
function valueText(node: Scalar, value: number | string): string {
    if (node.type === "QUOTE_DOUBLE") return `"${value}"`;
    if (node.type === "QUOTE_SINGLE") return `'${value}'`;
    if (node.type === "PLAIN") return String(value);
    throw new StackEditError(`cannot rewrite a ${node.type} scalar in place; write the value plainly`);
}

function scalarSplice(node: unknown, value: number | string, where: string): Splice & { node: Scalar } {
    if (!isScalar(node) || !node.range) throw new StackEditError(`${where} is not a plain value this command can edit`);
    return { start: node.range[0], end: node.range[1], text: valueText(node, value), node };
}

/** Where the line of `from` ends, before its line break (\n or \r\n). */
function lineEnd(text: string, from: number): number {
    const newline = text.indexOf("\n", from);
    const end = newline === -1 ? text.length : newline;
    return text[end - 1] === "\r" ? end - 1 : end;
}

/** Sets, replaces or clears the comment after a value that ends its line; a value inside a flow collection keeps its line as is. */
function commentSplice(text: string, valueEnd: number, comment: string | undefined): Splice | undefined {
    const end = lineEnd(text, valueEnd);
    const existing = /^[ \t]*(#.*)?$/.exec(text.slice(valueEnd, end));
    if (!existing) return undefined;
    if (comment !== undefined) return { start: valueEnd, end, text: `  # ${comment}` };
    if (existing[1]?.startsWith(`# ${ROLLBACK_COMMENT_PREFIX}`)) return { start: valueEnd, end, text: "" };
    return undefined;
}

function insertGreenWeight(text: string, config: unknown, project: string, value: number): Splice {
    const firstKey = isMap(config) && !config.flow ? config.items[0]?.key : undefined;
    if (!isScalar(firstKey) || !firstKey.range) {
        throw new StackEditError(`the stack file has no ${project}:greenWeight and its config is not a block map this command can add it to`);
    }
    const keyStart = firstKey.range[0];
    const lineStart = text.lastIndexOf("\n", keyStart) + 1;
    const indent = text.slice(lineStart, keyStart);
    if (!/^[ ]*$/.test(indent)) throw new StackEditError(`cannot add ${project}:greenWeight next to a key that does not start its line`);
    return { start: lineStart, end: lineStart, text: `${indent}${project}:greenWeight: ${value}\n` };
}

function parse(text: string): Document {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new StackEditError(`the stack file does not parse as YAML: ${doc.errors[0]!.message}`);
    return doc;
}

/** The `config` map with every key namespaced, as Pulumi reads it. */
function configValues(doc: Document, project: string): Record<string, unknown> {
    const js = (doc.toJS() ?? {}) as { config?: Record<string, unknown> };
    return Object.fromEntries(Object.entries(js.config ?? {}).map(([key, value]) => [key.includes(":") ? key : `${project}:${key}`, value]));
}

/** What the config should read after the edits: each weight changed, written as it was ("25" stays text). */
function expectedValues(before: Record<string, unknown>, project: string, edits: readonly StackEdit[]): Record<string, unknown> {
    const after = structuredClone(before);
    const written = (old: unknown, value: number) => (typeof old === "string" ? String(value) : value);
    for (const edit of edits) {
        if (isCohortEdit(edit)) {
            (after[`${project}:cohorts`] as Record<string, unknown>[])[edit.cohort]!.color = edit.color;
        } else if (edit.cluster === undefined) {
            after[`${project}:greenWeight`] = written(after[`${project}:greenWeight`], edit.greenWeight);
        } else {
            const cluster = (after[`${project}:clusters`] as Record<string, unknown>[])[edit.cluster]!;
            cluster.greenWeight = written(cluster.greenWeight, edit.greenWeight);
        }
    }
    return after;
}

/**
 * Applies weight edits to a stack file's text. `comment`, when given, replaces the comment on the
 * stack's greenWeight line (a rollback says there what failed and when); without it, a comment a
 * previous rollback left there is removed, and any other comment stays.
 */
export function editStackText(text: string, project: string, edits: readonly StackEdit[], comment?: string): string {
    const doc = parse(text);
    const config = doc.get("config", true);
    const splices: Splice[] = [];
    const flatComment = comment?.replace(/[\r\n]+/g, "; ");
    // Where the comment goes when no edit is on the stack's greenWeight (a rollback of cohorts only).
    let otherEdit: Splice | undefined;
    let onGreenWeight = false;
    for (const edit of edits) {
        if (isCohortEdit(edit)) {
            const cohorts = findPair(config, project, "cohorts")?.value;
            const cohort = isSeq(cohorts) ? cohorts.items[edit.cohort] : undefined;
            const pair = findPair(cohort, project, "color");
            if (!pair) throw new StackEditError(`${project}:cohorts[${edit.cohort}] has no color to change`);
            const splice = scalarSplice(pair.value, edit.color, `${project}:cohorts[${edit.cohort}].color`);
            splices.push(splice);
            otherEdit ??= splice;
        } else if (edit.cluster === undefined) {
            onGreenWeight = true;
            const pair = findPair(config, project, "greenWeight");
            if (!pair) {
                splices.push(insertGreenWeight(text, config, project, edit.greenWeight));
                continue;
            }
            const splice = scalarSplice(pair.value, edit.greenWeight, `${project}:greenWeight`);
            splices.push(splice);
            const commentEdit = commentSplice(text, splice.end, flatComment);
            if (commentEdit) splices.push(commentEdit);
        } else {
            const clusters = findPair(config, project, "clusters")?.value;
            const cluster = isSeq(clusters) ? clusters.items[edit.cluster] : undefined;
            const pair = findPair(cluster, project, "greenWeight");
            if (!pair) throw new StackEditError(`${project}:clusters[${edit.cluster}] has no greenWeight to change`);
            const splice = scalarSplice(pair.value, edit.greenWeight, `${project}:clusters[${edit.cluster}].greenWeight`);
            splices.push(splice);
            otherEdit ??= splice;
        }
    }
    if (flatComment !== undefined && !onGreenWeight && otherEdit) splices.push(commentAfter(text, otherEdit, flatComment));
    const edited = applySplices(text, splices);
    if (!isDeepStrictEqual(configValues(parse(edited), project), expectedValues(configValues(doc, project), project, edits))) {
        throw new StackEditError("editing the stack file in place would change more than the weights; nothing was written");
    }
    return edited;
}

/** `comment` after an edited value, or, inside a flow collection, as a comment line above it. */
function commentAfter(text: string, edited: Splice, comment: string): Splice {
    const lineStart = text.lastIndexOf("\n", edited.start) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
    return commentSplice(text, edited.end, comment) ?? { start: lineStart, end: lineStart, text: `${indent}# ${comment}\n` };
}

/** The text with every splice made, the last first so that earlier offsets hold. */
function applySplices(text: string, splices: readonly Splice[]): string {
    let edited = text;
    for (const splice of [...splices].sort((a, b) => b.start - a.start)) edited = edited.slice(0, splice.start) + splice.text + edited.slice(splice.end);
    return edited;
}

/**
 * Points cohorts of a fleet file (fleets/<name>.yaml, whose keys stand at the top level, without the
 * project's namespace) at other colors, and sets clusters' own weights, in place like editStackText:
 * only those characters change, and `comment` (a rollback's note) goes after the first one. Checked
 * by parsing it again.
 */
export function editFleetText(text: string, edits: readonly FleetEdit[], comment?: string): string {
    const doc = parse(text);
    const list = (key: string) => findPair(doc.contents, "", key)?.value;
    const splices: Splice[] = [];
    for (const edit of edits) {
        if ("cohort" in edit) {
            const cohorts = list("cohorts");
            const pair = findPair(isSeq(cohorts) ? cohorts.items[edit.cohort] : undefined, "", "color");
            if (!pair) throw new StackEditError(`cohorts[${edit.cohort}] has no color to change`);
            splices.push(scalarSplice(pair.value, edit.color, `cohorts[${edit.cohort}].color`));
        } else {
            const clusters = list("clusters");
            const pair = findPair(isSeq(clusters) ? clusters.items[edit.cluster] : undefined, "", "greenWeight");
            if (!pair) throw new StackEditError(`clusters[${edit.cluster}] has no greenWeight to change`);
            splices.push(scalarSplice(pair.value, edit.greenWeight, `clusters[${edit.cluster}].greenWeight`));
        }
    }
    const first = [...splices].sort((a, b) => a.start - b.start)[0];
    const flatComment = comment?.replace(/[\r\n]+/g, "; ");
    if (first && flatComment !== undefined) splices.push(commentAfter(text, first, flatComment));
    const edited = applySplices(text, splices);
    const values = (d: Document) => d.toJS({ maxAliasCount: -1 }) as { cohorts?: Record<string, unknown>[]; clusters?: Record<string, unknown>[] };
    const expected = values(doc);
    for (const edit of edits) {
        if ("cohort" in edit) expected.cohorts![edit.cohort]!.color = edit.color;
        else expected.clusters![edit.cluster]!.greenWeight = edit.greenWeight;
    }
    if (!isDeepStrictEqual(values(parse(edited)), expected)) {
        throw new StackEditError("editing the fleet file in place would change more than the cohorts' colors and the clusters' weights; nothing was written");
    }
    return edited;
}

/** What a rollback edits in a fleet file: a cohort's color, or a cluster's own weight (a whole-fleet stack's override). */
export type FleetEdit = CohortEdit | Required<WeightEdit>;

/** Edits a fleet file on disk, as editFleetText does; a reader sees the old file or the new one. */
export function editFleetFile(path: string, edits: readonly FleetEdit[], comment?: string): void {
    writeStackFile(path, editFleetText(readFileSync(path, "utf8"), edits, comment));
}

/** Edits a stack file on disk; a reader sees the old file or the new one, never half of it. */
export function editStackFile(path: string, project: string, edits: readonly StackEdit[], comment?: string): void {
    writeStackFile(path, editStackText(readFileSync(path, "utf8"), project, edits, comment));
}

/** Replaces a stack file with text already checked by editStackText; a reader sees the old file or the new one. */
export function writeStackFile(path: string, text: string): void {
    const temporary = `${path}.switchyard-${process.pid}.tmp`;
    let written = false;
    try {
        writeFileSync(temporary, text);
        written = true;
        renameSync(temporary, path);
    } catch (error) {
        if (written) rmSync(temporary, { force: true });
        throw error;
    }
}
