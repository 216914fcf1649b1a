#!/usr/bin/env node
// `npm test`: the type check and every spec under test/, in mocha's parallel mode. Three things make
// it fit a minute on two cores:
// - the slowest files start first. Mocha hands files to its workers in the order given; in
//   alphabetical order the longest drills started last and the run ended waiting on one of them.
// - Node's compile cache (NODE_COMPILE_CACHE): the specs start about 70 Node processes (switchyard
//   commands, plans, policy packs, pipeline jobs), each compiling the same TypeScript and SDKs;
//   with the cache only the first one does, and the rest start in about half the time.
// - tsc runs beside the specs, not before them: it is one process on one core for about 6 s, while
//   the specs' first seconds leave the other core waiting on processes they start. It is
//   incremental (its build info under node_modules/.cache), so a second run checks only what changed.
//   Its errors are printed after mocha's report, and either failing fails the run.
// Arguments after `npm test --` go to mocha (e.g. --grep).

import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TEST_DIR = import.meta.dirname;

/** Longest first, by wall time on two cores; each is a name under test/. */
export const SLOWEST = [
    "rolloutIntegrations.spec.ts",
    "drill.spec.ts",
    "plan.spec.ts",
    "planFleet.spec.ts",
    "engine.spec.ts",
    "gitlabPipeline.spec.ts",
    "engineAnswers.spec.ts",
    "policyPack.spec.ts",
    "program.spec.ts",
    "fleetRollout.spec.ts",
    "freshSource.spec.ts",
    "aws.spec.ts",
];

/** Every spec file under test/, the slowest first, the rest in name order. */
export function specOrder(dir = TEST_DIR) {
    const all = readdirSync(dir).filter((name) => name.endsWith(".spec.ts")).sort();
    const missing = SLOWEST.filter((name) => !all.includes(name));
    if (missing.length > 0) throw new Error(`test/run.mjs names spec files that do not exist: ${missing.join(", ")}`);
    return [...SLOWEST, ...all.filter((name) => !SLOWEST.includes(name))].map((name) => join(dir, name));
}

/**
 * Runs a process to its end; resolves its exit code (1 when a signal ended it). On "close", not
 * "exit": a process can exit before its piped output is read, and tsc's report would be cut short.
 */
function exited(child) {
    return new Promise((done) => child.on("close", (code, signal) => done(code ?? (signal ? 1 : 0))));
}

if (process.argv[1] === import.meta.filename) {
    const require = createRequire(import.meta.url);
    const mocha = require.resolve("mocha/bin/mocha.js");
    const tsc = require.resolve("typescript/bin/tsc");
    if (!existsSync(mocha) || !existsSync(tsc)) throw new Error(`no mocha or typescript in node_modules: run npm ci`);
    const buildInfo = join(TEST_DIR, "..", "node_modules", ".cache", "switchyard", "tsc.tsbuildinfo");
    const check = spawn(process.execPath, [tsc, "--incremental", "--tsBuildInfoFile", buildInfo], { cwd: join(TEST_DIR, ".."), stdio: ["ignore", "pipe", "pipe"] });
    let checkOutput = "";
    check.stdout.on("data", (chunk) => (checkOutput += chunk));
    check.stderr.on("data", (chunk) => (checkOutput += chunk));
    const env = { ...process.env, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "switchyard-compile-cache") };
    const specs = spawn(process.execPath, [mocha, "--parallel", "--jobs", "3", ...process.argv.slice(2), ...specOrder()], { env, stdio: "inherit" });
    const [specsCode, checkCode] = await Promise.all([exited(specs), exited(check)]);
    if (checkCode !== 0) process.stderr.write(`\ntsc found type errors (exit ${checkCode}):\n${checkOutput}\n`);
    process.exit(specsCode !== 0 ? specsCode : checkCode);
}
