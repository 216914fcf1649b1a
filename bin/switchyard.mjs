#!/usr/bin/env node
// Entry of the `switchyard` command (package.json "bin"). Plain JavaScript, so that an older Node
// gets a clear message instead of a syntax error: the command itself is TypeScript that Node runs
// natively (type stripping, on by default since Node 22.18).

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
    console.error(
        `switchyard needs Node.js 22.18 or newer (it runs TypeScript natively); this is Node.js ${process.versions.node}.\n` +
            "Install a current Node.js (24 recommended), e.g. with nvm: nvm install 24",
    );
    process.exit(3);
}

const { main } = await import("../tools/switchyard.ts");
const code = await main(process.argv.slice(2));
// Exit now rather than when idle HTTP keep-alive sockets time out; stdout is synchronous on Linux.
process.exit(code);
