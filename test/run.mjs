#!/usr/bin/env node
// `npm test` after tsc: every spec under test/, in mocha's parallel mode. Two things make it fit a
// minute on two cores:
// - the slowest files start first. Mocha hands files to its workers in the order given; in
//   alphabetical order the longest drills started last and the run ended waiting on one of them.
// - Node's compile cache (NODE_COMPILE_CACHE): the specs start about 70 Node processes (switchyard
//   commands, plans, policy packs, pipeline jobs), each compiling the same TypeScript and SDKs;
//   with the cache only the first one does, and the rest start in about half the time.
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

if (process.argv[1] === import.meta.filename) {
    const mocha = createRequire(import.meta.url).resolve("mocha/bin/mocha.js");
    if (!existsSync(mocha)) throw new Error(`no mocha at ${mocha}: run npm ci`);
    const env = { ...process.env, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "switchyard-compile-cache") };
    const child = spawn(process.execPath, [mocha, "--parallel", "--jobs", "3", ...process.argv.slice(2), ...specOrder()], { env, stdio: "inherit" });
    child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
