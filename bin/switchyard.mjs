#!/usr/bin/env node
// Entry of the `switchyard` command (package.json "bin"). Plain JavaScript, so that an older Node
// gets a clear message instead of a syntax error: the command itself is TypeScript that Node runs
// natively (type stripping, on by default since Node 22.18).

import { enableCompileCache } from "node:module";
import { nodeVersionProblem } from "./nodeVersion.mjs";

// The same check as npm's pre-scripts; exit 3 is the command's own code for what it cannot do.
const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
    console.error(problem);
    process.exit(3);
}

// Node keeps the compiled code of the command and its SDKs on disk (in the temporary directory, or
// NODE_COMPILE_CACHE): every run after the first starts in about half the time.
enableCompileCache();
const { main } = await import("../cli/switchyard.ts");
const code = await main(process.argv.slice(2));
// Exit now rather than when idle HTTP keep-alive sockets time out; stdout is synchronous on Linux.
process.exit(code);
