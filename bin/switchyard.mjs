#!/usr/bin/env node
// Entry of the `switchyard` command (package.json "bin"). Plain JavaScript, so that an older Node
// gets a clear message instead of a syntax error: the command itself is TypeScript that Node runs
// natively (type stripping, on by default since Node 22.18).

import { nodeVersionProblem } from "./nodeVersion.mjs";

// The same check as npm's pre-scripts; exit 3 is the command's own code for what it cannot do.
const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
    console.error(problem);
    process.exit(3);
}

const { main } = await import("../cli/switchyard.ts");
const code = await main(process.argv.slice(2));
// Exit now rather than when idle HTTP keep-alive sockets time out; stdout is synchronous on Linux.
process.exit(code);
