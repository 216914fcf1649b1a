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
  --stack <name>   the stack, Pulumi.<name>.yaml (this or --fleet is required)
  --fleet <name>   a split fleet, fleets/<name>.yaml: its cluster stacks, wave by wave
  --cwd <dir>      the project directory, where Pulumi.yaml is (default: the current directory)
  -h, --help       this help`;

/** Every command's last exit code: a usage mistake, nothing read or written. */
const USAGE_CODE_TEXT = `${USAGE_EXIT_CODE} usage error (an unknown flag, no --stack, no such stack; nothing read or written)`;

const USAGE = `switchyard: progressive delivery for a switchyard stack

Usage: switchyard <command> --stack <name> [options]
       switchyard <command> --fleet <name> [options]

Commands:
  status    where the rollout stands: candidate, step, weights per service and cluster, live rates
  analyze   judge the current step once against Prometheus
  advance   analyze, then edit the stack file: the next step, a rollback, or nothing yet
  rollout   the whole loop through Pulumi's Automation API: up, sample, advance or roll back, up again
  rollback  take the candidate's traffic away now, without asking Prometheus
  dashboard the Grafana dashboard of the rollout, from the analysis's query templates
  help      'switchyard help <command>': a command's options, examples and exit codes
  approve   (--fleet) a person's go for a wave with approval: true to take its next step
  stacks    (--fleet) the fleet's stacks, their scope and wave, and which go first: the CI matrix

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
    /** The --fleet form, when the command has one. */
    fleetSummary?: string;
    options: NonNullable<ParseArgsConfig["options"]>;
    help: string;
}

const STACK_OPTIONS = { stack: { type: "string" }, fleet: { type: "string" }, cwd: { type: "string" }, help: { type: "boolean", short: "h" } } as const;


const COMMANDS: Record<string, Command> = {
    status: {
        summary: "switchyard status --stack <name>",
        fleetSummary: "switchyard status --fleet <name>",
        options: STACK_OPTIONS,
        help: `Shows the candidate color, the step it is at, the weight each service gets on each cluster
(from the stack file), and, when rollout.analysis is set, each color's request rate and check values
over the last interval from Prometheus.

--fleet <name>: the traffic stacks (with groups, one shard per group), every cluster stack's weight
wave by wave (with groups, each cluster's group stacks), and the release record's rollback and
approvals (fleets/<name>.release.yaml), from the files alone.

Examples:
  switchyard status --stack prod
  switchyard status --stack dev --cwd ~/src/switchyard
  switchyard status --fleet prod

Exit codes: 0 shown, 3 error (Prometheus unreachable, bad config), ${USAGE_CODE_TEXT}.`,
    },
    analyze: {
        summary: "switchyard analyze --stack <name>",
        options: STACK_OPTIONS,
        help: `Judges every service on every cluster where the candidate has traffic (its weight, or a cohort
that sends its users to it, at 0 % too), over the last window:
whether the step is live (the observed traffic share matches the weight), each check per sample,
and failing samples against failureLimit. Prints a table per service, cluster and check.

Examples:
  switchyard analyze --stack prod
  switchyard analyze --stack prod || echo "not a pass: exit $?"

Exit codes: 0 pass, 1 fail, 2 inconclusive (too early, too little traffic, or missing data),
3 error (Prometheus unreachable, a query error, a cluster, service or metric source that matches
no series in Prometheus: it names the key and the values Prometheus has; bad config), ${USAGE_CODE_TEXT}.`,
    },
    advance: {
        summary: "switchyard advance --stack <name> [--start] [--report <file>] [--metrics-file <file>]",
        fleetSummary: "switchyard advance --fleet <name> [--start] [--rehearse | --defer-apply <file>] [--policy-pack <dir>] [--policy-pack-config <file>]",
        options: {
            ...STACK_OPTIONS,
            start: { type: "boolean" },
            report: { type: "string" },
            "metrics-file": { type: "string" },
            rehearse: { type: "boolean" },
            "defer-apply": { type: "string" },
            "policy-pack": { type: "string", multiple: true },
            "policy-pack-config": { type: "string", multiple: true },
        },
        help: `Analyzes, then edits Pulumi.<stack>.yaml in place (comments and layout kept):
  pass with the step's window elapsed   the next step
  fail                                  the candidate to 0 % at once, cluster overrides included,
                                        with a comment on the greenWeight line saying why
  inconclusive or too early             nothing
At 0 % it starts nothing unless --start is given (a scheduled job never restarts a rolled-back
release); a cohort on the candidate is judged there too: a failure rolls it back, a pass starts nothing.
At 100 % the rollout is complete, but a failing analysis still rolls back.
Then 'pulumi up --refresh' applies the edit.

  --start          at 0 %, move the candidate to the first step
  --report <file>  also write the report as markdown, fit for a pull-request comment (--stack only)
  --metrics-file <file>  also write the weights after the edit and each verdict in Prometheus's
                   text format, for a Pushgateway or textfile collector (the dashboard's verdict panels)

--fleet <name>: one pass of the fleet rollout, for a scheduled job: first applies what a stopped run
left (a stack file its stack has not applied), then judges every cluster stack that carries the
candidate — its weight, or at 0 % a cohort aimed at it — over its wave's window (the analysis
window, or the wave's soak when longer), then moves the next wave (at most its parallel stacks at
once) or, on any failure, rolls back every cluster stack that moved and points every cohort on the
candidate at the stable color in the fleet file, applying every stack that needs it at once.
A cohort's pass at 0 % moves nothing without --start. A wave with approval: true waits for
'switchyard approve'. Applies with
'pulumi preview' then 'pulumi up --refresh' per stack (the Automation API); --rehearse evaluates
each offline instead.

  --rehearse       (--fleet) apply under Pulumi's mocks instead of the Pulumi CLI
  --defer-apply <file>  (--fleet) apply nothing: write the cluster stacks the pass would apply, with
                   why, to <file> as JSON {parallel, stacks: [{stack, reason}]} (rewritten at each
                   one), for CI to apply one job per stack under that stack's lock, at most parallel
                   at once (the scheduled workflow .github/workflows/fleet-rollout.yml). Each
                   stack's live weight is still read through the Automation API (the Pulumi CLI and
                   a login, no cloud credentials), so the next pass applies again, before anything
                   else, a stack whose apply did not land, a rolled-back one too.

Examples:
  switchyard advance --stack prod --start      # at 0 %: the first step, once Prometheus answers
  switchyard advance --stack prod --report "$RUNNER_TEMP/report.md"
  switchyard advance --fleet prod --start
  switchyard advance --fleet prod --rehearse
  switchyard advance --fleet prod --defer-apply "$RUNNER_TEMP/apply.json"

Exit codes: 0 advanced or complete, 1 rolled back, 2 held, 3 error (the stack file untouched),
${USAGE_CODE_TEXT}.`,
    },
    rollback: {
        summary: "switchyard rollback --stack <name> [--reason <text>]",
        fleetSummary: "switchyard rollback --fleet <name> [--reason <text>]",
        options: { ...STACK_OPTIONS, reason: { type: "string" } },
        help: `Edits Pulumi.<stack>.yaml in place, as advance does on a failed analysis but without asking
Prometheus: the candidate to 0 % at the stack level and on every cluster override that still gives it
traffic, and every cohort aimed at the candidate to the stable color, with a comment on the
greenWeight line saying when and why. Then 'pulumi up' applies it; the readiness gate never holds it.

  --reason <text>  why, for the comment and the commit (default: "by hand")

--fleet <name>: the same on every cluster stack that gives the candidate traffic, and every cohort
of fleets/<name>.yaml aimed at the candidate to the stable color (with the comment after its color),
after recording the rollback and the stacks to apply in fleets/<name>.release.yaml (so a rollout or
advance that runs next applies them and starts nothing). Apply those stacks at once (every cluster
stack when a cohort moved: they all read the fleet file); the traffic stack need not move.

Examples:
  switchyard rollback --stack prod --reason "INC-7: checkout errors"
  switchyard rollback --stack prod && pulumi up --stack prod
  switchyard rollback --fleet prod --reason "INC-7: checkout errors"

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

Exit codes: 0 written, 3 error, ${USAGE_CODE_TEXT}.`,

    },
    rollout: {
        summary: "switchyard rollout --stack <name> [--rehearse] [--policy-pack <dir>] [--policy-pack-config <file>]",
        fleetSummary: "switchyard rollout --fleet <name> [--rehearse] [--policy-pack <dir>] [--policy-pack-config <file>]",
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

--fleet <name>: the fleet's release wave by wave: each pass is 'advance --fleet' (resume, judge, the
next wave or a rollback of every moved cluster stack), one every analysis interval, until every
cluster stack passed at 100 %. The waves walk each step in turn: wave 1 takes 5 %, passes its window
and soak, then wave 2 takes 5 % (after 'switchyard approve' if it has approval: true), then wave 1
takes 25 %... A run stopped anywhere is resumed by the next from the files and the stacks.

Examples:
  switchyard rollout --stack prod --policy-pack policy --policy-pack-config policy/config/prod.json
  switchyard rollout --stack drill --rehearse
  switchyard rollout --fleet prod --rehearse

Exit codes: 0 complete, 1 rolled back, 3 error (the stack file says what is live), ${USAGE_CODE_TEXT}.`,
    },
    approve: {
        summary: "switchyard approve --fleet <name> --wave <wave> [--by <name>]",
        options: { ...STACK_OPTIONS, wave: { type: "string" }, by: { type: "string" } },
        help: `A person's go for a wave with approval: true in fleets/<name>.yaml to take its next step (the
next of rollout.steps after its lowest cluster stack's weight). Recorded, for this release only (the
candidate's images and versions), in fleets/<name>.release.yaml: commit it, and the next
'rollout' or 'advance --fleet' moves the wave once the wave before it passed its window and soak.

  --wave <wave>  the wave (required)
  --by <name>    who approves (default: $GITHUB_ACTOR, else $USER)

Examples:
  switchyard approve --fleet prod --wave rest
  switchyard approve --fleet prod --wave rest --by alice

Exit codes: 0 recorded (or already), 3 error (unknown wave, a wave without approval, nothing left to approve),
${USAGE_CODE_TEXT}.`,
    },
    stacks: {
        summary: "switchyard stacks --fleet <name> [--json]",
        options: { ...STACK_OPTIONS, json: { type: "boolean" } },
        help: `The fleet's stacks in the order a build applies them: the traffic stack (with groups in the
fleet file, its shard per group, <fleet>-traffic-<group>), then each cluster's (with groups, each
cluster's group's, <fleet>-<cluster>-<group>) wave by wave, with their scope and wave, and which
stacks go first for each kind of change: a new build traffic then clusters, an undrain the cluster
then traffic, a flip or a rollback the clusters only. Every stack file the fleet needs is read and
checked.

  --json  the same as JSON: {fleet, file, traffic: [...], clusters: [...], order}, the CI matrix

Examples:
  switchyard stacks --fleet prod
  switchyard stacks --fleet prod --json | jq -c .clusters

Exit codes: 0 shown, 3 error (a stack file missing or not the fleet's, traffic shards included), ${USAGE_CODE_TEXT}.`,
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

const FLEET_ONLY = new Set(["approve", "stacks"]);

/** The --fleet side of every command: the fleet's cluster stacks, wave by wave (cli/switchyard/fleet.ts). */
async function runFleetCommand(name: string, fleetName: string, values: Record<string, unknown>, dir: string, io: CommandIo, metricsFactory?: MetricsFactory): Promise<number> {
    if (typeof values.report === "string") throw new UsageError("--report goes with --stack; advance --fleet prints its report");
    const deferTo = values["defer-apply"];
    if (deferTo !== undefined) {
        if (values.rehearse) throw new UsageError("give --rehearse or --defer-apply, not both");
        if (deferTo === "") throw new UsageError("--defer-apply needs a file, e.g. --defer-apply apply.json");
    }
    if (name === "approve" && (typeof values.wave !== "string" || values.wave === "")) throw new UsageError("--wave <wave> is required");
    const fleet = await import("./switchyard/fleet.ts");
    switch (name) {
        case "status":
            return fleet.runFleetStatus(fleetName, dir, io);
        case "approve":
            return fleet.runFleetApprove(fleetName, dir, values.wave as string, typeof values.by === "string" && values.by !== "" ? values.by : (process.env.GITHUB_ACTOR || process.env.USER || "unknown"), io);
        case "rollback":
            return await fleet.runFleetRollback(fleetName, dir, typeof values.reason === "string" && values.reason !== "" ? values.reason : "by hand", io);
        case "stacks": {
            const { fleetMatrix, matrixText } = await import("./switchyard/fleetStacks.ts");
            const matrix = fleetMatrix(fleet.loadFleet(fleetName, dir));
            io.out(values.json ? JSON.stringify(matrix) : matrixText(matrix));
            return 0;
        }
        case "analyze":
            throw new UsageError("analyze takes --stack: judge one cluster stack (advance --fleet judges them all)");
        default: {
            const loaded = fleet.loadFleet(fleetName, dir);
            const { loadProjectStack, prometheusFromStack } = await import("./switchyard/commands.ts");
            const api = await (metricsFactory ?? prometheusFromStack)(loadProjectStack(loaded.clusterStacks[0]!.stack.name, dir));
            const deployers = await import("./switchyard/fleetDeployers.ts");
            const automation = () =>
                deployers.fleetAutomationDeployer(dir, io.out, {
                    packs: (values["policy-pack"] as string[] | undefined) ?? [],
                    configs: (values["policy-pack-config"] as string[] | undefined) ?? [],
                });
            const deployer = values.rehearse
                ? await deployers.fleetRehearsalDeployer(loaded, io.out)
                : typeof deferTo === "string"
                  ? deployers.fleetDeferredDeployer((await automation()).live, resolve(deferTo))
                  : await automation();
            const options = { fleet: fleetName, dir, api, deployer };
            if (name === "advance") return await fleet.runFleetAdvance({ ...options, io, start: values.start === true });
            return await fleet.runFleetRollout({ ...options, io });
        }
    }
}

function commandHelp(name: string): string {
    const command = COMMANDS[name]!;
    return `Usage: ${command.summary}${command.fleetSummary ? `\n       ${command.fleetSummary}` : ""}\n\n${command.help}\n\n${COMMON}`;
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
        const dir = resolve(typeof values.cwd === "string" ? values.cwd : process.cwd());
        if (typeof values.fleet === "string") {
            if (values.stack !== undefined) throw new UsageError("give --stack or --fleet, not both");
            if (values.fleet === "") throw new UsageError("--fleet needs a fleet's name, e.g. --fleet prod");
            return await runFleetCommand(name, values.fleet, values, dir, io, metricsFactory);
        }
        if (FLEET_ONLY.has(name)) throw new UsageError(`--fleet <name> is required: ${name} acts on a split fleet`);
        if (values.rehearse && name !== "rollout") throw new UsageError("--rehearse goes with rollout, or with advance --fleet");
        if (values["defer-apply"] !== undefined) throw new UsageError("--defer-apply goes with --fleet: advance --stack applies nothing, it edits the stack file");
        if (typeof values.stack !== "string" || values.stack === "") throw new UsageError("--stack <name> is required (or --fleet <name>)");
        // Loaded only now: help and usage errors answer at once, without the Pulumi SDK.
        const { loadProjectStack, prometheusFromStack, runAdvance, runAnalyze, runRollback, runStatus } = await import("./switchyard/commands.ts");
        const metrics = metricsFactory ?? prometheusFromStack;
        const stack = loadProjectStack(values.stack, dir);
        // A traffic stack deploys no route and reads no weight: the fleet's weights live in its cluster stacks.
        if (stack.model.scope.kind === "traffic") {
            const fleet = stack.model.fleet?.name ?? "<fleet>";
            throw new UsageError(
                `--stack ${stack.name}: a traffic stack (switchyard:scope: traffic) has no routes and no weight of its own; ${name} acts on the fleet's cluster stacks: --stack ${fleet}-<cluster>, or --fleet ${fleet}`,
            );
        }
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
