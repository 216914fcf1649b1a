// From Stryker's JSON report (mutation-testing-report-schema) to one row per module and the table
// `npm run mutation` prints. Pure: no Stryker import, no files.

/** Statuses of the report schema; the score counts Killed and Timeout as detected. */
export type MutantStatus = "Killed" | "Survived" | "NoCoverage" | "Timeout" | "CompileError" | "RuntimeError" | "Ignored" | "Pending";

export interface ReportMutant {
    id: string;
    mutatorName: string;
    replacement?: string;
    status: MutantStatus;
    location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

/** The part of Stryker's JSON report this driver reads. */
export interface MutationReport {
    files: Record<string, { source: string; mutants: ReportMutant[] }>;
}

export interface ModuleSummary {
    module: string;
    /** Mutants that ran: every status except Ignored and Pending. */
    mutants: number;
    killed: number;
    survived: number;
    timeout: number;
    noCoverage: number;
    /** CompileError and RuntimeError: not counted in the score, as Stryker does. */
    errors: number;
    /** Detected / (detected + undetected) in percent; undefined when no mutant ran. */
    score: number | undefined;
    seconds: number;
    survivors: Survivor[];
}

export interface Survivor {
    where: string;
    mutator: string;
    original: string;
    replacement: string;
}

function count(mutants: ReportMutant[], ...statuses: MutantStatus[]): number {
    return mutants.filter((m) => statuses.includes(m.status)).length;
}

/** The text a mutant replaced, cut from the source by its location (lines and columns count from 1). */
function originalText(source: string, location: ReportMutant["location"]): string {
    const lines = source.split("\n");
    const { start, end } = location;
    if (start.line === end.line) return lines[start.line - 1]!.slice(start.column - 1, end.column - 1);
    return [lines[start.line - 1]!.slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1]!.slice(0, end.column - 1)].join("\n");
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** Long texts (a regex, a message) cut to the part the mutant changed, with some context either side. */
export function changedPart(original: string, replacement: string, context = 12): [string, string] {
    if (original.length <= 80 && replacement.length <= 80) return [original, replacement];
    let prefix = 0;
    while (prefix < original.length && prefix < replacement.length && original[prefix] === replacement[prefix]) prefix++;
    let suffix = 0;
    while (
        suffix < original.length - prefix &&
        suffix < replacement.length - prefix &&
        original[original.length - 1 - suffix] === replacement[replacement.length - 1 - suffix]
    ) {
        suffix++;
    }
    const cut = (text: string) => {
        const start = Math.max(0, prefix - context);
        const end = Math.min(text.length, text.length - suffix + context);
        return `${start > 0 ? "…" : ""}${text.slice(start, end)}${end < text.length ? "…" : ""}`;
    };
    return [cut(original), cut(replacement)];
}

export function summarize(module: string, report: MutationReport, seconds: number): ModuleSummary {
    const file = report.files[module];
    const mutants = file?.mutants.filter((m) => m.status !== "Ignored" && m.status !== "Pending") ?? [];
    const killed = count(mutants, "Killed");
    const timeout = count(mutants, "Timeout");
    const survived = count(mutants, "Survived");
    const noCoverage = count(mutants, "NoCoverage");
    const valid = killed + timeout + survived + noCoverage;
    const survivors = mutants
        .filter((m) => m.status === "Survived" || m.status === "NoCoverage")
        .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column)
        .map((m) => {
            const [original, replacement] = changedPart(oneLine(originalText(file!.source, m.location)), oneLine(m.replacement ?? ""));
            return { where: `${module}:${m.location.start.line}:${m.location.start.column}`, mutator: m.mutatorName, original, replacement };
        });
    return {
        module,
        mutants: mutants.length,
        killed,
        survived,
        timeout,
        noCoverage,
        errors: count(mutants, "CompileError", "RuntimeError"),
        score: valid === 0 ? undefined : ((killed + timeout) / valid) * 100,
        seconds,
        survivors,
    };
}

/** A module passes with at least `minimum` percent; a module where no mutant ran does not pass. */
export function passes(summary: ModuleSummary, minimum: number): boolean {
    return summary.score !== undefined && summary.score >= minimum;
}

export function formatScore(score: number | undefined): string {
    // Floored, so that 89.96 % never shows as a passing 90.0 %.
    return score === undefined ? "n/a" : `${(Math.floor(score * 10) / 10).toFixed(1)} %`;
}

export function mutationTable(rows: ModuleSummary[]): string {
    const head = ["module", "mutants", "killed", "survived", "timeout", "no coverage", "score", "time"];
    const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
    return [
        line(head),
        line(head.map(() => "---")),
        ...rows.map((r) => line([r.module, r.mutants, r.killed, r.survived, r.timeout, r.noCoverage, formatScore(r.score), `${Math.round(r.seconds)} s`])),
    ].join("\n");
}
