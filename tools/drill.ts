// npm run drill -- [--fault-rate 0.3] [--fault-delay-ms 400] [--rate 200] [--minutes 15]
//
// A progressive-delivery drill on one machine, with no cluster and no Pulumi engine: Prometheus on
// loopback scraping the demo app as blue (1.4.0) and green (1.5.0, with the faults asked for), and
// a load that follows the greenWeight of a temporary copy of the drill stack, as a Gateway would.
// Run switchyard against that copy in another terminal; Ctrl-C stops everything.

import { parseArgs } from "node:util";
import { startLoad } from "./drill/load.ts";
import { startDemoApp, startPrometheus, stopAll, type Running } from "./drill/processes.ts";
import { drillProject, greenWeightIn } from "./drill/project.ts";

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            "fault-rate": { type: "string", default: "0" },
            "fault-delay-ms": { type: "string", default: "0" },
            rate: { type: "string", default: "200" },
            minutes: { type: "string", default: "15" },
        },
    });
    const faultRate = Number(values["fault-rate"]);
    const faultDelayMs = Number(values["fault-delay-ms"]);
    const rate = Number(values.rate);
    const minutes = Number(values.minutes);
    if (!(faultRate >= 0 && faultRate <= 1) || !(faultDelayMs >= 0) || !(rate > 0 && rate <= 2000) || !(minutes > 0 && minutes <= 120)) {
        throw new Error("usage: npm run drill -- [--fault-rate 0..1] [--fault-delay-ms >= 0] [--rate 1..2000 requests/s] [--minutes 1..120]");
    }
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

void main();
