// What the switchyard command prints: aligned tables on a terminal, and the same content as a
// markdown report that reads well as a pull-request comment.

import type { AdvanceDecision } from "../../model/advance.ts";
import { checkRows, formatValue, rateLines, targetRows, type TargetJudgement, type Verdict } from "../../model/analysis.ts";
import { formatDuration } from "../../model/rollout.ts";
import type { AnalysisSpec, RolloutSpec } from "../../model/config/types.ts";
import type { ColorNow } from "./collect.ts";

export type Style = "text" | "markdown";

function escapeCell(cell: string, style: Style): string {
    return style === "markdown" ? cell.replace(/\|/g, "\\|") : cell;
}

/** A table: markdown with a header rule, or plain columns padded to their widest cell. */
export function formatTable(head: readonly string[], rows: readonly (readonly string[])[], style: Style): string {
    const cells = [head, ...rows].map((row) => row.map((cell) => escapeCell(cell, style)));
    if (style === "markdown") {
        return [`| ${cells[0]!.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...cells.slice(1).map((row) => `| ${row.join(" | ")} |`)].join("\n");
    }
    const widths = head.map((_, i) => Math.max(...cells.map((row) => [...(row[i] ?? "")].length)));
    return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
}

const VERDICT_WORDS: Record<Verdict, string> = { pass: "pass", fail: "FAIL", inconclusive: "inconclusive" };

function settings(analysis: AnalysisSpec): string {
    return (
        `window ${formatDuration(analysis.windowSeconds)}, a sample every ${formatDuration(analysis.intervalSeconds)}, ` +
        `minRequests ${analysis.minRequests}, failureLimit ${analysis.failureLimit}, alpha ${analysis.alpha}, metrics ${analysis.metrics}`
    );
}

/** Where each target stands and each check's latest values; with `reasons`, every target's reasons below. */
export function analysisTables(judgements: readonly TargetJudgement[], rollout: RolloutSpec, analysis: AnalysisSpec, style: Style, reasons: boolean): string {
    if (judgements.length === 0) return "No cluster gives the candidate traffic: nothing to judge.";
    const stable = judgements[0]!.target.stable;
    const targets = formatTable(
        ["service", "cluster", `${rollout.candidate} weight`, "observed share", "live", "failing samples", "verdict"],
        targetRows(judgements, analysis.failureLimit).map((r) => [r.service, r.cluster, r.weight, r.share, r.live, r.failing, VERDICT_WORDS[r.verdict]]),
        style,
    );
    const checks = formatTable(
        ["service", "cluster", "check", `${rollout.candidate} (candidate)`, `${stable} (stable)`, "threshold", "latest sample"],
        checkRows(judgements, analysis.checks).map((r) => [r.service, r.cluster, r.check, r.candidate, r.stable, r.threshold, VERDICT_WORDS[r.verdict]]),
        style,
    );
    // The rates over the whole step, with their intervals: what the decision rests on.
    const rates = rateLines(judgements);
    const evidence = rates.length > 0 ? `\n\n${style === "markdown" ? "**Evidence over the step**" : "Evidence over the step:"}\n${rates.map((line) => `- ${line}`).join("\n")}` : "";
    if (!reasons) return `${targets}\n\n${checks}${evidence}`;
    const why = judgements.flatMap((j) => j.reasons.map((reason) => `- ${j.target.service} on ${j.target.cluster}: ${reason}`));
    return `${targets}\n\n${checks}${evidence}\n\n${why.join("\n")}`;
}

export function analyzeText(stack: string, judgements: readonly TargetJudgement[], verdict: Verdict, rollout: RolloutSpec, analysis: AnalysisSpec): string {
    return [
        `switchyard analyze: stack ${stack}, candidate ${rollout.candidate}: ${VERDICT_WORDS[verdict]}`,
        `(${settings(analysis)})`,
        "",
        analysisTables(judgements, rollout, analysis, "text", true),
    ].join("\n");
}

function headline(decision: AdvanceDecision, rollout: RolloutSpec): string {
    switch (decision.action) {
        case "advance":
            return `advanced ${rollout.candidate} ${decision.from} % → ${decision.to} %`;
        case "rollback":
            return `rolled back ${rollout.candidate} ${decision.from} % → 0 %`;
        case "complete":
            return `complete: ${rollout.candidate} serves 100 %`;
        case "hold":
            return `held ${rollout.candidate} at ${decision.from} %`;
    }
}

/** One line for a commit message or a CI log: what happened and the first reason. */
export function advanceSummary(stack: string, decision: AdvanceDecision, rollout: RolloutSpec): string {
    return `switchyard ${stack}: ${headline(decision, rollout)}${decision.reasons[0] ? ` — ${decision.reasons[0]}` : ""}`;
}

/** The report `advance` prints and writes with --report: fit for a pull-request comment. */
export function advanceReport(
    stack: string,
    decision: AdvanceDecision,
    judgements: readonly TargetJudgement[],
    rollout: RolloutSpec,
    analysis: AnalysisSpec,
    at: Date,
    style: Style,
): string {
    const title = `switchyard advance: stack ${stack}: ${headline(decision, rollout)}`;
    const verdict = decision.verdict === undefined ? "nothing to judge" : VERDICT_WORDS[decision.verdict];
    const steps = rollout.steps.map((step) => (step === decision.to ? (style === "markdown" ? `**${step}**` : `[${step}]`) : String(step))).join(" → ");
    const lines = [
        style === "markdown" ? `### ${title}` : title,
        "",
        `Verdict: ${style === "markdown" ? `**${verdict}**` : verdict} at ${at.toISOString().slice(0, 19)}Z. Steps: ${steps}. ${settings(analysis)}.`,
        "",
        ...decision.reasons.map((reason) => `- ${reason}`),
    ];
    // The decision's reasons above already name each target's.
    if (judgements.length > 0) lines.push("", analysisTables(judgements, rollout, analysis, style, false));
    if (decision.action === "rollback") {
        lines.push("", `The stack file now gives ${rollout.candidate} 0 % everywhere; \`pulumi up\` applies it. Fix the release, then start again with \`switchyard advance --start\`.`);
    }
    return `${lines.join("\n")}\n`;
}

export function statusText(stackName: string, rollout: RolloutSpec, weights: { service: string; cluster: string; weight: number; override: boolean }[], current: number): string {
    const clusters = [...new Set(weights.map((w) => w.cluster))];
    const services = [...new Set(weights.map((w) => w.service))];
    const cell = (service: string, cluster: string) => {
        const w = weights.find((x) => x.service === service && x.cluster === cluster)!;
        return `${w.weight} %${w.override ? " (cluster override)" : ""}`;
    };
    const steps = rollout.steps.map((step) => (step === current ? `[${step}]` : String(step))).join(" → ");
    const where = current === 0 ? "not started (or rolled back)" : current >= 100 ? "complete" : `at ${current} %`;
    return [
        `switchyard status: stack ${stackName}`,
        `candidate ${rollout.candidate}: ${where}. Steps: ${steps}. maxStep ${rollout.maxStep}.`,
        "",
        formatTable([`${rollout.candidate} weight`, ...clusters], services.map((service) => [service, ...clusters.map((c) => cell(service, c))]), "text"),
    ].join("\n");
}

export function ratesText(rates: readonly ColorNow[], analysis: AnalysisSpec): string {
    return formatTable(
        ["service", "cluster", "color", "requests/s", ...analysis.checks.map((c) => c.name)],
        rates.map((r) => [
            r.target.service,
            r.target.cluster,
            r.color === r.target.candidate ? `${r.color} (candidate)` : r.color,
            r.requestsPerSecond.toFixed(2),
            ...analysis.checks.map((c) => formatValue(r.values[c.name], c.unit)),
        ]),
        "text",
    );
}
