// A drill's stand-in for one cluster's Gateway: a bounded load (load.ts) to a service's two colors,
// split as the HTTPRoute its stack last applied under --rehearse says
// (.switchyard/rehearsal/<stack>.json), so the load moves when the stack is applied, as traffic
// does after `pulumi up`, and not when its file is edited. It runs as its own process, as a Gateway
// does: its requests then stay off the event loop of the spec that judges them, which on a busy
// machine starved the loads that spec runs itself.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { HTTPRouteSpec } from "../../components/weightedRoute.ts";
import { rehearsalStateFile, type RehearsedStack } from "../../cli/switchyard/fleetDeployers.ts";
import { colorObjectName } from "../../model/labels.ts";
import { startLoad } from "./load.ts";
import { whenChanged } from "./whenChanged.ts";
import { stopProcess, type Running } from "./processes.ts";

type Rule = NonNullable<HTTPRouteSpec["rules"]>[number];

/** A rule a GET with no headers and no query parameters takes: one of its matches asks for none of those (or it has none). Paths are not matched: the program's weighted rule takes every path. */
function takesPlainRequests(rule: Rule): boolean {
    const matches = rule.matches ?? [];
    return matches.length === 0 || matches.some((m) => (m.headers ?? []).length === 0 && (m.queryParams ?? []).length === 0 && (m.method === undefined || m.method === "GET"));
}

/**
 * Percent of plain GET requests the route sends to `service`'s green Service: its first rule that
 * takes such requests, split by backendRef weight (a backendRef without one weighs 1, as the
 * Gateway API says). 0 when there is no route, no such rule, or every weight is 0.
 */
export function greenPercentOf(route: unknown, service: string): number {
    const rule = ((route as HTTPRouteSpec | undefined)?.rules ?? []).find(takesPlainRequests);
    const refs = rule?.backendRefs ?? [];
    const total = refs.reduce((sum, ref) => sum + (ref.weight ?? 1), 0);
    if (total === 0) return 0;
    const green = refs.filter((ref) => ref.name === colorObjectName(service, "green")).reduce((sum, ref) => sum + (ref.weight ?? 1), 0);
    return (100 * green) / total;
}

export interface GatewayOptions {
    /** The project directory the rehearsal runs in. */
    dir: string;
    /** The cluster stack whose applied route splits the load. */
    stack: string;
    service: string;
    blueUrl: string;
    greenUrl: string;
    requestsPerSecond: number;
    /** It stops by itself after this long. */
    maxSeconds: number;
}

/** The routes a rehearsal file holds; the file, which holds the stack's whole rehearsed state, parsed again only when its text changed. */
const rehearsedRoutes = whenChanged((text) => (JSON.parse(text) as RehearsedStack).routes ?? {});

/**
 * The percent of a plain request green gets on the stack's cluster now: 0 until the stack was first
 * applied, as the last release left it. A load asks many times a second.
 */
export function appliedGreenPercent(dir: string, stack: string, service: string): number {
    const file = rehearsalStateFile(dir, stack);
    return existsSync(file) ? greenPercentOf(rehearsedRoutes(file)[service], service) : 0;
}

/** Starts the stand-in as a child process; stop() ends it once the requests in flight are answered. */
export function startGateway(options: GatewayOptions): Running {
    const child = spawn(process.execPath, [import.meta.filename, JSON.stringify(options)], { stdio: ["pipe", "ignore", "inherit"] });
    return { stop: () => stopProcess(child, 5000) };
}

if (process.argv[1] === import.meta.filename) {
    const options = JSON.parse(process.argv[2] ?? "{}") as GatewayOptions;
    const load = startLoad({ ...options, greenWeight: () => appliedGreenPercent(options.dir, options.stack, options.service) });
    let ending = false;
    const end = () => {
        if (ending) return;
        ending = true;
        void load.stop().then(() => process.exit(0));
    };
    process.once("SIGTERM", end);
    // The parent gone (its end of stdin closed), the load goes too: a killed spec leaves none behind.
    process.stdin.on("close", end).resume();
    setTimeout(end, options.maxSeconds * 1000 + 500);
}
