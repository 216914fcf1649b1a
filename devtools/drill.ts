// npm run drill -- [--fault-rate 0.3] [--fault-delay-ms 400] [--rate 200] [--minutes 15] (--help)
//
// A progressive-delivery drill on one machine, with no cluster and no Pulumi engine: Prometheus on
// loopback scraping the demo app as blue (1.4.0) and green (1.5.0, with the faults asked for), and
// a load that follows the greenWeight of a temporary copy of the drill stack, as a Gateway would.
// Run switchyard against that copy in another terminal; Ctrl-C stops everything.

import { parseArgs } from "node:util";
import { USAGE_EXIT_CODE } from "../cli/exitCodes.ts";
import { startLoad } from "./drill/load.ts";
import { startDemoApp, startPrometheus, stopAll, type Running } from "./drill/processes.ts";
import { drillProject, greenWeightIn } from "./drill/project.ts";

const USAGE = `usage: npm run drill -- [options]

Runs a progressive-delivery drill on this machine: the demo app as blue (1.4.0) and green (1.5.0),
Prometheus on loopback scraping both (it needs /usr/bin/prometheus: apt-get install prometheus),
and a load split by the greenWeight of a temporary copy of the drill stack. Run switchyard against
that copy in another terminal, as printed; Ctrl-C stops everything.

options:
  --fault-rate <0..1>         share of green's requests that fail with a 500 (default 0)
  --fault-delay-ms <ms>       delay added to each of green's requests, 0 or more (default 0)
  --rate <1..2000>            requests per second in all (default 200)
  --minutes <1..120>          how long the drill runs (default 15)
  -h, --help                  this text

exit codes: 0 stopped (time up or Ctrl-C), 1 something failed to start, 64 usage error

example:
  npm run drill -- --fault-rate 0.3`;

class UsageError extends Error {}

interface DrillOptions {
    faultRate: number;
    faultDelayMs: number;
    rate: number;
    minutes: number;
}

/** The drill's options, or "help"; a UsageError names what is wrong. */
function drillOptions(argv: string[]): DrillOptions | "help" {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            strict: true,
            options: {
                "fault-rate": { type: "string", default: "0" },
                "fault-delay-ms": { type: "string", default: "0" },
                rate: { type: "string", default: "200" },
                minutes: { type: "string", default: "15" },
                help: { type: "boolean", short: "h", default: false },
            },
        }));
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    if (values.help) return "help";
    const number = (flag: string, text: string, ok: (n: number) => boolean, allowed: string): number => {
        const n = text.trim() === "" ? Number.NaN : Number(text);
        if (!ok(n)) throw new UsageError(`--${flag}: got ${JSON.stringify(text)}; allowed: ${allowed}`);
        return n;
    };
    return {
        faultRate: number("fault-rate", values["fault-rate"], (n) => n >= 0 && n <= 1, "a number from 0 to 1"),
        faultDelayMs: number("fault-delay-ms", values["fault-delay-ms"], (n) => n >= 0, "a number of milliseconds, 0 or more"),
        rate: number("rate", values.rate, (n) => n > 0 && n <= 2000, "requests per second, above 0 and at most 2000"),
        minutes: number("minutes", values.minutes, (n) => n > 0 && n <= 120, "minutes, above 0 and at most 120"),
    };
}

async function main(argv: string[]): Promise<void> {
    let options: DrillOptions | "help";
    try {
        options = drillOptions(argv);
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        console.error(`npm run drill: ${error.message}\n\n${USAGE}`);
        process.exitCode = USAGE_EXIT_CODE;
        return;
    }
    if (options === "help") {
        console.log(USAGE);
        return;
    }
    const { faultRate, faultDelayMs, rate, minutes } = options;
    const running: Running[] = [];
    let stopping = false;
    const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        console.log("\nstopping the drill ...");
        await stopAll(running);
        process.exit(code);
    };
    process.on("SIGINT", () => void stop(0));
    process.on("SIGTERM", () => void stop(0));
    try {
        const blue = await startDemoApp({ service: "storefront", color: "blue", version: "1.4.0" });
        running.push(blue);
        const green = await startDemoApp({ service: "storefront", color: "green", version: "1.5.0", faultRate, faultDelayMs });
        running.push(green);
        const prometheus = await startPrometheus([blue, green], "drill");
        running.push(prometheus);
        const project = drillProject({ service: "storefront", prometheusUrl: prometheus.url });
        running.push({ stop: project.remove });
        running.push(startLoad({ blueUrl: blue.url, greenUrl: green.url, greenWeight: () => greenWeightIn(project.file), requestsPerSecond: rate, maxSeconds: minutes * 60 }));
        const at = `--stack ${project.stack} --cwd ${project.dir}`;
        console.log(
            [
                `drill running for ${minutes} min (Ctrl-C stops it): ${rate} requests/s split by the stack file's greenWeight`,
                `  Prometheus   ${prometheus.url} (first samples about 5 s after start)`,
                `  blue 1.4.0   ${blue.url}`,
                `  green 1.5.0  ${green.url}${faultRate > 0 || faultDelayMs > 0 ? ` with FAULT_RATE=${faultRate} FAULT_DELAY_MS=${faultDelayMs}` : ""}`,
                `  stack file   ${project.file} (a copy; switchyard edits it, the load follows it)`,
                "",
                "In another terminal:",
                `  npx switchyard status  ${at}`,
                `  npx switchyard analyze ${at}`,
                `  npx switchyard advance ${at}`,
                `  npx switchyard rollout ${at} --rehearse`,
            ].join("\n"),
        );
        setTimeout(() => void stop(0), minutes * 60_000);
    } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        await stop(1);
    }
}

void main(process.argv.slice(2));
