// The pieces of a local drill: a real Prometheus on loopback scraping real demo app processes, one
// per color. Every start is bounded in time and every process is stopped by stop(), also when a
// start fails half-way. Used by `npm run drill` and by test/drill.spec.ts.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

export const PROMETHEUS_BINARY = process.env.SWITCHYARD_PROMETHEUS_BINARY ?? "/usr/bin/prometheus";
const APP = resolve(import.meta.dirname, "../../app/server.mjs");

export interface Running {
    stop(): Promise<void>;
}

/** A port free on loopback right now. */
export async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((done, fail) => {
        server.once("error", fail);
        server.listen(0, "127.0.0.1", done);
    });
    const address = server.address();
    await new Promise((done) => server.close(done));
    if (address === null || typeof address === "string") throw new Error("no port from the operating system");
    return address.port;
}

/** Stops a child with `signal`, then SIGKILL after `graceMs`. Resolves once it has exited. */
export async function stopProcess(child: ChildProcess, graceMs: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.kill(signal);
    const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(killer);
}

/** Resolves when `ready` returns true, polling; fails after `timeoutMs` or when the child exits. */
async function waitUntil(
    child: ChildProcess,
    what: string,
    timeoutMs: number,
    ready: () => Promise<boolean>,
    output: () => string,
    fatal: (error: unknown) => boolean = () => false,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited before it was ready:\n${output()}`);
        const answered = await ready().catch((error: unknown) => {
            if (fatal(error)) throw error;
            return false;
        });
        if (answered) return;
        await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${output()}`);
}

/** The port the demo app says it listens on (`… listening on :<port>`), once it says so. */
function listeningPort(child: ChildProcess, what: string, timeoutMs: number, output: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
        let text = "";
        const finish = (error?: Error, port?: number) => {
            clearTimeout(timer);
            child.stdout?.off("data", onData);
            child.off("exit", onExit);
            if (error) reject(error);
            else resolve(port!);
        };
        const onData = (chunk: Buffer) => {
            text += chunk.toString();
            const match = / listening on :(\d+)/.exec(text);
            if (match) finish(undefined, Number(match[1]));
        };
        const onExit = () => finish(new Error(`${what} exited before it listened:\n${output()}`));
        const timer = setTimeout(() => finish(new Error(`${what} did not listen within ${timeoutMs / 1000} s:\n${output()}`)), timeoutMs);
        child.stdout?.on("data", onData);
        child.once("exit", onExit);
    });
}

function captured(child: ChildProcess): () => string {
    let text = "";
    const keep = (chunk: Buffer) => {
        text = (text + chunk.toString()).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    return () => text;
}

export interface DemoApp extends Running {
    service: string;
    color: string;
    /** The cluster it stands for, when the drill has several; startPrometheus labels its series with it. */
    cluster?: string;
    url: string;
    port: number;
}

export interface DemoAppOptions {
    service: string;
    color: "blue" | "green";
    version: string;
    /**
     * The cluster it stands for. Not given to the app: a pod does not know its cluster's name, the
     * Prometheus that scrapes it adds the label (see startPrometheus).
     */
    cluster?: string;
    faultRate?: number;
    faultDelayMs?: number;
}

/**
 * The demo app (app/server.mjs) as its own process, with the env switchyard gives a color. It binds
 * a port the kernel picks (SWITCHYARD_PORT=0) and says which on its first line: a port found free
 * beforehand can be taken by another spec's process before the app binds it, and the health check
 * would then be answered by that process.
 */
export async function startDemoApp(options: DemoAppOptions): Promise<DemoApp> {
    const child = spawn(process.execPath, [APP], {
        env: {
            PATH: process.env.PATH ?? "",
            SWITCHYARD_PORT: "0",
            SWITCHYARD_SERVICE: options.service,
            SWITCHYARD_COLOR: options.color,
            SWITCHYARD_VERSION: options.version,
            FAULT_RATE: String(options.faultRate ?? 0),
            FAULT_DELAY_MS: String(options.faultDelayMs ?? 0),
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const output = captured(child);
    const stop = () => stopProcess(child, 1000, "SIGINT");
    let port: number;
    try {
        port = await listeningPort(child, `demo app ${options.service}-${options.color}`, 10_000, output);
    } catch (error) {
        await stop();
        throw error;
    }
    const url = `http://127.0.0.1:${port}`;
    // SIGINT: the app drains for 5 s on SIGTERM, as a pod should; a drill has nothing to drain.
    const app: DemoApp = {
        service: options.service,
        color: options.color,
        ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
        url,
        port,
        stop,
    };
    try {
        await waitUntil(child, `demo app ${options.service}-${options.color}`, 10_000, async () => (await fetch(`${url}/healthz`)).ok, output);
    } catch (error) {
        await app.stop();
        throw error;
    }
    return app;
}

export interface PrometheusServer extends Running {
    url: string;
}

/**
 * Prometheus on loopback with a temporary TSDB, scraping `targets` twice a second. Prometheus 2.42
 * applies scrape targets about 5 s after it starts (its discovery updates are throttled to one
 * per 5 s), so the first samples land then. Each target gets the label cluster=<its cluster>, else
 * cluster=<cluster>: one target group per cluster, each with its label, as the relabelling of a
 * Prometheus that scrapes several clusters gives it (or each cluster's own Prometheus its
 * external_labels, behind a global query API). The label comes from where the target runs, not
 * from the app, which does not know its cluster; the apps' own labels win over discovery's
 * (honor_labels).
 */
export async function startPrometheus(
    targets: readonly { port: number; cluster?: string }[],
    cluster: string,
    /** Where each attempt's port comes from; a spec hands a taken one first. */
    nextPort: () => Promise<number> = freePort,
): Promise<PrometheusServer> {
    if (!existsSync(PROMETHEUS_BINARY)) {
        throw new Error(`no Prometheus at ${PROMETHEUS_BINARY}: install Debian's package (apt-get install prometheus), or set SWITCHYARD_PROMETHEUS_BINARY`);
    }
    const dir = mkdtempSync(join(tmpdir(), "switchyard-prometheus-"));
    const clusters = [...new Set(targets.map((t) => t.cluster ?? cluster))];
    const config = [
        "global:",
        "  scrape_interval: 500ms",
        "  scrape_timeout: 500ms",
        "  evaluation_interval: 1s",
        // Not on any series a query returns (external labels go only to federation, remote write and
        // alerts): it tells this Prometheus from any other server on its port (startPrometheusOn).
        "  external_labels:",
        `    switchyard_drill: "${basename(dir)}"`,
        "scrape_configs:",
        "  - job_name: demo",
        "    honor_labels: true",
        "    static_configs:",
        ...clusters.flatMap((name) => [
            "      - targets: [" + targets.filter((t) => (t.cluster ?? cluster) === name).map((t) => `"127.0.0.1:${t.port}"`).join(", ") + "]",
            "        labels:",
            `          cluster: "${name}"`,
        ]),
        "",
    ].join("\n");
    writeFileSync(join(dir, "prometheus.yml"), config);
    // Prometheus cannot report a port the kernel picked, so it gets one found free just before; another
    // spec's process may bind that one first. Then Prometheus exits (address in use), or, had it lost
    // the race the other way, another server answers: the readiness check asks for this Prometheus's
    // own config back, and a lost port is tried again with another.
    for (let attempt = 1; ; attempt++) {
        try {
            return await startPrometheusOn(await nextPort(), dir, basename(dir));
        } catch (error) {
            if (attempt === 3 || !(error instanceof LostPort)) {
                rmSync(dir, { recursive: true, force: true });
                throw error instanceof LostPort ? new Error(error.message) : error;
            }
        }
    }
}

class LostPort extends Error {}

async function startPrometheusOn(port: number, dir: string, marker: string): Promise<PrometheusServer> {
    rmSync(join(dir, "data"), { recursive: true, force: true });
    const child = spawn(
        PROMETHEUS_BINARY,
        [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    const output = captured(child);
    const url = `http://127.0.0.1:${port}`;
    const server: PrometheusServer = {
        url,
        async stop() {
            await stopProcess(child, 5000);
            rmSync(dir, { recursive: true, force: true });
        },
    };
    // Ready, and this one: the config it answers is the file it was started with.
    const ours = async () => {
        if (!(await fetch(`${url}/-/ready`)).ok) return false;
        const status = (await (await fetch(`${url}/api/v1/status/config`)).json()) as { data?: { yaml?: string } };
        if (typeof status.data?.yaml !== "string" || !status.data.yaml.includes(marker)) {
            throw new LostPort(`another server answers on ${url}, not the Prometheus started for it`);
        }
        return true;
    };
    try {
        await waitUntil(child, "Prometheus", 15_000, ours, output, (error) => error instanceof LostPort);
    } catch (error) {
        await stopProcess(child, 5000);
        if (error instanceof LostPort || /address already in use/.test(output())) throw new LostPort(`Prometheus could not have ${url}: ${String(error)}`);
        rmSync(dir, { recursive: true, force: true });
        throw error;
    }
    return server;
}

/** Stops everything started, newest first, even when one stop fails. */
export async function stopAll(running: Running[]): Promise<void> {
    const errors: unknown[] = [];
    for (const item of running.splice(0).reverse()) {
        await item.stop().catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw errors[0];
}
