// switchyard dashboard, and the metrics file advance writes for it: the Grafana dashboard of a
// stack from the analysis's own query templates, and the configured weights and verdicts that
// Prometheus cannot scrape from any app (a Pushgateway or a textfile collector takes the file).

import { writeFileSync } from "node:fs";
import type { TargetJudgement } from "../../model/analysis.ts";
import { METRIC_SOURCES, type MetricSource } from "../../model/metricQueries.ts";
import { rolloutDashboard, VERDICT_METRICS, VERDICT_VALUES } from "../../model/grafanaDashboard.ts";
import type { StackModel } from "../../model/config/types.ts";
import { UsageError } from "./errors.ts";
import type { Io } from "./io.ts";
import type { ProjectStack } from "./stack.ts";
import { targetsInScope } from "./collect.ts";

/** The dashboard's JSON as written: two-space indents and a final newline, so a committed copy diffs line by line. */
export function dashboardText(stack: string, model: StackModel, source?: MetricSource): string {
    return `${JSON.stringify(rolloutDashboard({ stack, model, ...(source ? { source } : {}) }), null, 2)}\n`;
}

export function runDashboard(stack: ProjectStack, io: Io, options: { metrics?: string; out?: string }): number {
    if (options.metrics !== undefined && !(METRIC_SOURCES as readonly string[]).includes(options.metrics)) {
        throw new UsageError(`--metrics: got ${JSON.stringify(options.metrics)}; allowed: ${METRIC_SOURCES.join(", ")}`);
    }
    const text = dashboardText(stack.name, stack.model, options.metrics as MetricSource | undefined);
    if (options.out === undefined) {
        io.out(text.trimEnd());
        return 0;
    }
    writeFileSync(options.out, text);
    io.out(`switchyard ${stack.name}: wrote the dashboard to ${options.out}; import it in Grafana (Dashboards → New → Import) and pick the Prometheus the analysis asks`);
    return 0;
}

const label = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/**
 * Prometheus's text format: per service × cluster, the candidate's and stable's configured weight
 * after this run's edit and the step's verdict, and the time of the run.
 */
export function verdictMetrics(stack: string, model: StackModel, judgements: readonly TargetJudgement[], at: Date): string {
    const lines = [
        `# HELP ${VERDICT_METRICS.weight} Configured weight of a color after switchyard advance's edit, in percent.`,
        `# TYPE ${VERDICT_METRICS.weight} gauge`,
    ];
    for (const target of targetsInScope(model)) {
        const where = `stack="${label(stack)}",service="${label(target.service)}",cluster="${label(target.cluster)}"`;
        lines.push(`${VERDICT_METRICS.weight}{${where},color="${target.candidate}",role="candidate"} ${target.candidateWeight}`);
        lines.push(`${VERDICT_METRICS.weight}{${where},color="${target.stable}",role="stable"} ${100 - target.candidateWeight}`);
    }
    lines.push(`# HELP ${VERDICT_METRICS.verdict} The step's verdict per service and cluster: 1 pass, 0 inconclusive, -1 fail.`, `# TYPE ${VERDICT_METRICS.verdict} gauge`);
    for (const judgement of judgements) {
        lines.push(`${VERDICT_METRICS.verdict}{stack="${label(stack)}",service="${label(judgement.target.service)}",cluster="${label(judgement.target.cluster)}"} ${VERDICT_VALUES[judgement.verdict]}`);
    }
    lines.push(`# HELP ${VERDICT_METRICS.at} When switchyard advance judged, in Unix seconds.`, `# TYPE ${VERDICT_METRICS.at} gauge`);
    lines.push(`${VERDICT_METRICS.at}{stack="${label(stack)}"} ${Math.floor(at.getTime() / 1000)}`);
    return `${lines.join("\n")}\n`;
}
