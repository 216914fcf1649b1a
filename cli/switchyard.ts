// switchyard <command> --stack <name>: the operator's entry beside `pulumi` for progressive
// delivery. bin/switchyard.mjs checks the Node version, then runs this.

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, closest } from "../model/validation.ts";
import { PrometheusError } from "./prometheus.ts";
import { StackEditError } from "./stackEdit.ts";
import type { Io, MetricsFactory } from "./switchyard/commands.ts";
import type { LoopIo } from "./switchyard/rolloutLoop.ts";
import { CommandError, UsageError } from "./switchyard/errors.ts";
import { USAGE_EXIT_CODE } from "./exitCodes.ts";

/** Exit code for a usage mistake (unknown command or flag, no such stack): 64, apart from every outcome. */
export { USAGE_EXIT_CODE };
/** Exit code for an error: config, Prometheus, the stack file or the engine. Nothing was written. */
export const ERROR_EXIT_CODE = 3;

const COMMON = `Options for every command:
  --stack <name>   the stack, Pulumi.<name>.yaml (required)
  --cwd <dir>      the project directory, where Pulumi.yaml is (default: the current directory)
  -h, --help       this help`;

/** Every command's last exit code: a usage mistake, nothing read or written. */
const USAGE_CODE_TEXT = `${USAGE_EXIT_CODE} usage error (an unknown flag, no --stack, no such stack; nothing read or written)`;

const USAGE = `switchyard: progressive delivery for a switchyard stack

Usage: switchyard <command> --stack <name> [options]

Commands:
  status    where the rollout stands: candidate, step, weights per service and cluster, live rates
  analyze   judge the current step once against Prometheus
  advance   analyze, then edit the stack file: the next step, a rollback, or nothing yet
  rollout   the whole loop through Pulumi's Automation API: up, sample, advance or roll back, up again
  rollback  take the candidate's traffic away now, without asking Prometheus
  dashboard the Grafana dashboard of the rollout, from the analysis's query templates
  help      'switchyard help <command>': a command's options, examples and exit codes

${COMMON}
  --version        the version of switchyard

Exit codes: each command's own (see its help); ${USAGE_CODE_TEXT}.

Examples:
  switchyard status --stack prod
  switchyard advance --stack prod --start
  switchyard help advance

Run 'switchyard help <command>' (or 'switchyard <command> --help') for a command's options and exit codes.
Docs: docs/progressive-delivery.md`;

interface Command {
    summary: string;
    options: NonNullable<ParseArgsConfig["options"]>;
    help: string;
}

const STACK_OPTIONS = { stack: { type: "string" }, cwd: { type: "string" }, help: { type: "boolean", short: "h" } } as const;

const COMMANDS: Record<string, Command> = {
    status: {
        summary: "switchyard status --stack <name>",
        options: STACK_OPTIONS,
        help: `Shows the candidate color, the step it is at, the weight each service gets on each cluster
(from the stack file), and, when rollout.analysis is set, each color's request rate and check values
over the last interval from Prometheus.

Examples:
  switchyard status --stack prod
  switchyard status --stack dev --cwd ~/src/switchyard

Exit codes: 0 shown, 3 error (Prometheus unreachable, bad config), ${USAGE_CODE_TEXT}.`,
    },
    analyze: {
        summary: "switchyard analyze --stack <name>",
        options: STACK_OPTIONS,
        help: `Judges every service on every cluster where the candidate has traffic, over the last window:
whether the step is live (the observed traffic share matches the weight), each check per sample,
and failing samples against failureLimit. Prints a table per service, cluster and check.

Examples:
  switchyard analyze --stack prod
  switchyard analyze --stack prod || echo "not a pass: exit $?"

Exit codes: 0 pass, 1 fail, 2 inconclusive (too early, too little traffic, or missing data),
3 error (Prometheus unreachable, a query error, bad config), ${USAGE_CODE_TEXT}.`,
    },
    advance: {
        summary: "switchyard advance --stack <name> [--start] [--report <file>] [--metrics-file <file>]",
        options: { ...STACK_OPTIONS, start: { type: "boolean" }, report: { type: "string" }, "metrics-file": { type: "string" } },
        help: `Analyzes, then edits Pulumi.<stack>.yaml in place (comments and layout kept):
  pass with the step's window elapsed   the next step
  fail                                  the candidate to 0 % at once, cluster overrides included,
                                        with a comment on the greenWeight line saying why
  inconclusive or too early             nothing
At 0 % it starts nothing unless --start is given (a scheduled job never restarts a rolled-back
release). At 100 % the rollout is complete, but a failing analysis still rolls back.
Then 'pulumi up --refresh' applies the edit.

  --start          at 0 %, move the candidate to the first step
  --report <file>  also write the report as markdown, fit for a pull-request comment
  --metrics-file <file>  also write the weights after the edit and each verdict in Prometheus's
                   text format, for a Pushgateway or textfile collector (the dashboard's verdict panels)

Examples:
  switchyard advance --stack prod --start      # at 0 %: the first step, without asking Prometheus
  switchyard advance --stack prod --report "$RUNNER_TEMP/report.md"

Exit codes: 0 advanced or complete, 1 rolled back, 2 held, 3 error (the stack file untouched),
${USAGE_CODE_TEXT}.`,
    },
    rollback: {
        summary: "switchyard rollback --stack <name> [--reason <text>]",
        options: { ...STACK_OPTIONS, reason: { type: "string" } },
        help: `Edits Pulumi.<stack>.yaml in place, as advance does on a failed analysis but without asking
Prometheus: the candidate to 0 % at the stack level and on every cluster override that still gives it
traffic, and every cohort aimed at the candidate to the stable color, with a comment on the
greenWeight line saying when and why. Then 'pulumi up' applies it; the readiness gate never holds it.

  --reason <text>  why, for the comment and the commit (default: "by hand")

Examples:
  switchyard rollback --stack prod --reason "INC-7: checkout errors"
  switchyard rollback --stack prod && pulumi up --stack prod

Exit codes: 0 rolled back (or nothing gave the candidate traffic), 3 error (the stack file untouched),
${USAGE_CODE_TEXT}.`,
    },
    dashboard: {
        summary: "switchyard dashboard --stack <name> [--metrics app|envoy-gateway|istio] [--out <file>]",
        options: { ...STACK_OPTIONS, metrics: { type: "string" }, out: { type: "string" } },
        help: `Prints (or writes) a Grafana dashboard of the stack's rollout as JSON, built from the same query
templates the analysis runs: per service and cluster the candidate's and stable's requests, each
check side by side with its bar, the configured weight beside the observed share, and the step's
verdict over time (from advance --metrics-file). Variables: stack, service, cluster, namespace,
candidate, stable, sample range. Import it in Grafana; regenerate it when services, clusters or
checks change. Asks nothing of Prometheus.

  --metrics <source>  the metric source to query (default: the stack's rollout.analysis.metrics)
  --out <file>        write the JSON there instead of printing it

Exit codes: 0 written, 3 error.`,
    },
    rollout: {
        summary: "switchyard rollout --stack <name> [--rehearse] [--policy-pack <dir>] [--policy-pack-config <file>]",
        options: {
            ...STACK_OPTIONS,
            rehearse: { type: "boolean" },
            "policy-pack": { type: "string", multiple: true },
            "policy-pack-config": { type: "string", multiple: true },
        },
        help: `The whole rollout: applies the stack with 'pulumi up --refresh' (Pulumi's Automation API; needs
the Pulumi CLI), samples every interval, and advances or rolls back, applying each edit, until the
candidate serves 100 % and passed its window there. At 0 % it starts at the first step. The stack
file always says what is live: an edit whose 'up' fails is put back.

  --rehearse                   evaluate each step offline under Pulumi's mocks instead of 'up'
                               (the plan); Prometheus is still asked. For drills without an engine.
  --policy-pack <dir>          run 'up' under this policy pack (repeatable)
  --policy-pack-config <file>  its config, e.g. policy/config/prod.json (repeatable)

Examples:
  switchyard rollout --stack prod --policy-pack policy --policy-pack-config policy/config/prod.json
  switchyard rollout --stack drill --rehearse

Exit codes: 0 complete, 1 rolled back, 3 error (the stack file says what is live), ${USAGE_CODE_TEXT}.`,
    },
};

/** `switchyard`'s version: package.json's, beside bin/ and cli/. */
function version(): string {
    return (JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as { version: string }).version;
}

/** "; did you mean "advance"?" for a near miss of a command. */
function suggestion(name: string): string {
    const near = closest(name, Object.keys(COMMANDS));
    return near ? `; did you mean "${near}"?` : "";
}

function commandHelp(name: string): string {
    const command = COMMANDS[name]!;
    return `Usage: ${command.summary}\n\n${command.help}\n\n${COMMON}`;
}

export type CommandIo = Io & LoopIo;

export function terminalIo(): CommandIo {
    const redraw = process.stdout.isTTY === true;
    return {
        out: (text) => console.log(text),
        err: (text) => console.error(text),
        now: () => new Date(),
        progress: (line) => {
            if (redraw) process.stdout.write(`\r\x1b[2K${line}`);
        },
        sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
    };
}

export async function main(argv: string[], io: CommandIo = terminalIo(), metricsFactory?: MetricsFactory): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
        io.out(USAGE);
        return name === undefined ? USAGE_EXIT_CODE : 0;
    }
    if (name === "--version" || name === "-V") {
        io.out(`switchyard ${version()}`);
        return 0;
    }
    if (name === "help") {
        const [topic, ...extra] = rest;
        if (COMMANDS[topic!] && extra.length === 0) {
            io.out(commandHelp(topic!));
            return 0;
        }
        io.err(`switchyard: ${extra.length > 0 ? `help takes one command, got "${rest.join(" ")}"` : `unknown command "${topic}"`}${suggestion(topic!)}\n`);
        io.err(USAGE);
        return USAGE_EXIT_CODE;
    }
    const command = COMMANDS[name];
    try {
        if (!command) throw new UsageError(`unknown command "${name}"${suggestion(name)}`);
        let values: Record<string, unknown>;
        try {
            ({ values } = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false }));
        } catch (error) {
            throw new UsageError((error as Error).message);
        }
        if (values.help) {
            io.out(commandHelp(name));
            return 0;
        }
        if (typeof values.stack !== "string" || values.stack === "") throw new UsageError("--stack <name> is required");
        const dir = resolve(typeof values.cwd === "string" ? values.cwd : process.cwd());
        // Loaded only now: help and usage errors answer at once, without the Pulumi SDK.
        const { loadProjectStack, prometheusFromStack, runAdvance, runAnalyze, runRollback, runStatus } = await import("./switchyard/commands.ts");
        const metrics = metricsFactory ?? prometheusFromStack;
        const stack = loadProjectStack(values.stack, dir);
        switch (name) {
            case "status":
                return await runStatus(stack, io, metrics);
            case "analyze":
                return await runAnalyze(stack, io, metrics);
            case "advance":
                return await runAdvance(stack, io, metrics, {
                    start: values.start === true,
                    ...(typeof values.report === "string" ? { report: values.report } : {}),
                    ...(typeof values["metrics-file"] === "string" ? { metricsFile: values["metrics-file"] } : {}),
                });
            case "dashboard": {
                const { runDashboard } = await import("./switchyard/dashboard.ts");
                return runDashboard(stack, io, { ...(typeof values.metrics === "string" ? { metrics: values.metrics } : {}), ...(typeof values.out === "string" ? { out: values.out } : {}) });
            }
            case "rollback":
                return runRollback(stack, io, typeof values.reason === "string" && values.reason !== "" ? values.reason : "by hand");
            default: {
                const { automationDeployer, rehearsalDeployer, runRolloutLoop } = await import("./switchyard/rolloutLoop.ts");
                const deployer = values.rehearse
                    ? await rehearsalDeployer(stack.name, dir, io.out)
                    : await automationDeployer(stack.name, dir, io.out, {
                          packs: (values["policy-pack"] as string[] | undefined) ?? [],
                          configs: (values["policy-pack-config"] as string[] | undefined) ?? [],
                      });
                return await runRolloutLoop({ stackName: stack.name, dir, api: await metrics(stack), deployer, io });
            }
        }
    } catch (error) {
        if (error instanceof UsageError) {
            io.err(`switchyard: ${error.message}\n`);
            io.err(command ? commandHelp(name) : USAGE);
            return USAGE_EXIT_CODE;
        }
        if (error instanceof ConfigError) {
            io.err(error.message);
            return ERROR_EXIT_CODE;
        }
        if (error instanceof PrometheusError || error instanceof CommandError || error instanceof StackEditError) {
            io.err(`switchyard ${name}: ${error.message}`);
            return ERROR_EXIT_CODE;
        }
        io.err(`switchyard ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return ERROR_EXIT_CODE;
    }
}
