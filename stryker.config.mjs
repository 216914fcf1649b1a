// StrykerJS settings shared by every module. `npm run mutation` (devtools/mutation.ts) runs one pass
// per module of devtools/mutation/modules.ts, adding that module's `mutate`, the command that runs its
// specs and where the JSON report goes; `npx stryker run` alone mutates them all against all their specs.
import { MUTATION_MODULES } from "./devtools/mutation/modules.ts";

const specs = [...new Set(Object.values(MUTATION_MODULES).flat())];

/** The specs run by mocha directly (no npx): a command runs once per mutant, so its start-up counts. */
export function mochaCommand(specFiles) {
    return `"${process.execPath}" node_modules/mocha/bin/mocha.js --reporter dot --bail --forbid-only ${specFiles.join(" ")}`;
}

export default {
    // The mocha runner plugin needs mocha/lib/cli/run-helpers, which mocha 12 no longer has: each
    // mutant runs mocha as a command instead, activated through __STRYKER_ACTIVE_MUTANT__.
    testRunner: "command",
    // The command runner reports no coverage, so every mutant runs (and "no coverage" stays 0).
    coverageAnalysis: "off",
    // Two cores: one mocha per core.
    concurrency: 2,
    // Mutants that loop forever end here: the spec runs take under a second.
    timeoutMS: 5000,
    reporters: ["json", "clear-text"],
    mutate: Object.keys(MUTATION_MODULES),
    commandRunner: { command: mochaCommand(specs) },
    // Sandboxes hold nothing worth keeping once the report is written.
    cleanTempDir: "always",
    // The demo app is its own package, but a spec reads its histogram buckets from app/server.mjs,
    // and prod's stack, which a spec loads, names app/Dockerfile (the config checks that it exists).
    ignorePatterns: ["/bench-results", "/.github", "/app/*", "!/app/server.mjs", "!/app/Dockerfile"],
    thresholds: { high: 95, low: 90, break: null },
};
