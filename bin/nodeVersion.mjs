// Plain JavaScript on purpose: it must run on the old Node.js it refuses, which cannot even load a
// .ts file (ERR_UNKNOWN_FILE_EXTENSION). switchyard runs its TypeScript with Node's type stripping.

import { pathToFileURL } from "node:url";

export const REQUIRED_NODE = "22.18.0";

function parts(version) {
    return version.replace(/^v/, "").split(".").map((part) => Number.parseInt(part, 10) || 0);
}

/** Why this Node.js cannot run switchyard, or undefined when it can. */
export function nodeVersionProblem(version) {
    const [major, minor, patch] = parts(version);
    const [needMajor, needMinor, needPatch] = parts(REQUIRED_NODE);
    const oldEnough = major !== needMajor ? major > needMajor : minor !== needMinor ? minor > needMinor : patch >= needPatch;
    if (oldEnough) return undefined;
    return (
        `switchyard needs Node.js >= ${REQUIRED_NODE} (it runs its TypeScript natively); this is Node.js v${version.replace(/^v/, "")}.\n` +
        `Get Node.js 24, e.g. with nvm: nvm install 24 && nvm use 24\n` +
        `or from the npm registry, without root: npm install --prefix ~/.cache/node24 node@24 && export PATH=~/.cache/node24/node_modules/node/bin:$PATH`
    );
}

/** Exits with the reason when this Node.js is too old. */
export function requireNode(version = process.versions.node) {
    const problem = nodeVersionProblem(version);
    if (problem === undefined) return;
    console.error(problem);
    process.exit(1);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) requireNode();
