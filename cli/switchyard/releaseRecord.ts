// fleets/<fleet>.release.yaml: what a fleet release needs remembered beyond the weights in the
// cluster stacks' files — the approvals people gave (`switchyard approve`) and that a rollback
// began — in a small file committed beside the fleet file, so that git is the record and the next
// run resumes from it, never from memory. Each entry names the release it belongs to (a hash of
// the candidate color of every service), so an approval of one release never lets another through.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument, stringify } from "yaml";
import type { Color, ServiceSpec, WaveSpec } from "../../model/config/types.ts";
import { isPlainObject } from "../../model/validation.ts";
import { ConfigError } from "../../model/validation.ts";

export interface RecordedApproval {
    release: string;
    wave: string;
    step: number;
    by: string;
    at: string;
}

export interface ReleaseRecord {
    /**
     * Set when a rollback of that release began: every cluster stack goes to 0 before anything else.
     * `pending`: the stacks it has still to apply, written before any edit, each taken off once applied
     * (a cohort moved in the fleet file shows in no stack's weight, so only this says who is behind).
     */
    rolledBack?: { release: string; at: string; reason: string; pending?: string[] };
    approvals: RecordedApproval[];
}

/** The record's file for a fleet: `fleets/prod.release.yaml` beside `fleets/prod.yaml`. */
export function releaseRecordFile(dir: string, fleetFile: string): string {
    return join(dir, fleetFile.replace(/\.ya?ml$/, ".release.yaml"));
}

/** The release's identity: the candidate's image, build and version of every service. */
export function releaseId(services: readonly ServiceSpec[], candidate: Color): string {
    const candidateSpecs = services.map((s) => [s.name, s[candidate] ?? null]);
    return createHash("sha256").update(JSON.stringify([candidate, candidateSpecs])).digest("hex").slice(0, 12);
}

/** Reads the record; a file that is not the record's shape is refused before anything is written. */
export function readReleaseRecord(file: string, waves: readonly WaveSpec[]): ReleaseRecord {
    if (!existsSync(file)) return { approvals: [] };
    const problems: string[] = [];
    const document = parseDocument(readFileSync(file, "utf8"));
    if (document.errors.length > 0) throw new ConfigError([`${file}: got a file that does not parse; allowed: the YAML switchyard approve writes (${document.errors[0]!.message.split("\n")[0]})`]);
    const content: unknown = document.toJS() ?? {};
    if (!isPlainObject(content)) throw new ConfigError([`${file}: got ${JSON.stringify(content)}; allowed: a mapping with approvals and rolledBack`]);
    const record: ReleaseRecord = { approvals: [] };
    const text = (value: unknown) => typeof value === "string" && value !== "";
    for (const key of Object.keys(content)) {
        if (key !== "approvals" && key !== "rolledBack") problems.push(`${file}: ${key}: got ${JSON.stringify(content[key])}; allowed: only approvals and rolledBack`);
    }
    const rolledBack = content.rolledBack;
    if (rolledBack !== undefined && rolledBack !== null) {
        const pending = isPlainObject(rolledBack) ? (rolledBack.pending ?? []) : [];
        const pendingOk = Array.isArray(pending) && pending.every(text);
        if (isPlainObject(rolledBack) && text(rolledBack.release) && text(rolledBack.at) && typeof rolledBack.reason === "string" && pendingOk) {
            record.rolledBack = { release: String(rolledBack.release), at: String(rolledBack.at), reason: rolledBack.reason, ...(pending.length > 0 ? { pending: pending.map(String) } : {}) };
        } else {
            problems.push(`${file}: rolledBack: got ${JSON.stringify(rolledBack)}; allowed: {release, at, reason, pending?: [stack names]} as a fleet rollback writes it`);
        }
    }
    const approvals = content.approvals ?? [];
    if (!Array.isArray(approvals)) {
        problems.push(`${file}: approvals: got ${JSON.stringify(approvals)}; allowed: a list of {release, wave, step, by, at}`);
    } else {
        const names = waves.map((w) => w.name);
        approvals.forEach((item: unknown, i) => {
            const at = `${file}: approvals[${i}]`;
            if (!isPlainObject(item) || !text(item.release) || typeof item.step !== "number" || !text(item.by) || !text(item.at)) {
                problems.push(`${at}: got ${JSON.stringify(item)}; allowed: {release, wave, step, by, at} as switchyard approve writes it`);
            } else if (!names.includes(String(item.wave))) {
                problems.push(`${at}.wave: got ${JSON.stringify(item.wave)}; allowed: a wave of the fleet: ${names.join(", ")}`);
            } else {
                record.approvals.push({ release: String(item.release), wave: String(item.wave), step: item.step, by: String(item.by), at: String(item.at) });
            }
        });
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return record;
}

const HEADER = `# Written by switchyard for a fleet release: the approvals people gave (switchyard approve) and
# whether a rollback began. Commit it with the stack files: the next run resumes from it.
`;

export function writeReleaseRecord(file: string, record: ReleaseRecord): void {
    const body: Record<string, unknown> = {};
    if (record.rolledBack) {
        const { pending, ...rest } = record.rolledBack;
        body.rolledBack = pending !== undefined && pending.length > 0 ? { ...rest, pending } : rest;
    }
    body.approvals = record.approvals;
    const temporary = `${file}.switchyard-${process.pid}.tmp`;
    writeFileSync(temporary, HEADER + stringify(body));
    renameSync(temporary, file);
}
