// The pure modules under mutation testing, each with the specs that cover it. A mutant of a module
// runs only that module's specs, so a module is killed by its own specs, not by the whole suite.
// Adding a module is one line here.

export const MUTATION_MODULES: Readonly<Record<string, readonly string[]>> = {
    "model/traffic.ts": ["test/traffic.spec.ts"],
    "model/hostnames.ts": ["test/hostnames.spec.ts", "test/config.spec.ts"],
    "model/imageReference.ts": ["test/imageReference.spec.ts", "test/config.spec.ts"],
    "model/buildContext.ts": ["test/buildContext.spec.ts"],
    "model/validation.ts": ["test/validation.spec.ts", "test/config.spec.ts"],
    "model/config/parse.ts": ["test/config.spec.ts", "test/fleetConfig.spec.ts"],
    "model/config/keys.ts": ["test/config.spec.ts"],
    "model/config/weights.ts": ["test/config.spec.ts"],
    "model/config/clusters.ts": ["test/config.spec.ts"],
    "model/config/services.ts": ["test/config.spec.ts"],
    "model/config/dns.ts": ["test/config.spec.ts"],
    "model/config/images.ts": ["test/config.spec.ts"],
    "model/config/fleet.ts": ["test/config.spec.ts"],
    "model/config/patterns.ts": ["test/config.spec.ts"],
    "model/config/fleetFile.ts": ["test/fleetConfig.spec.ts"],
    "model/config/scope.ts": ["test/fleetConfig.spec.ts"],
    "policy/policies.ts": ["test/policy.spec.ts"],
    "policy/kubernetes.ts": ["test/policyKubernetes.spec.ts", "test/policy.spec.ts"],
    "policy/images.ts": ["test/policyImages.spec.ts", "test/policy.spec.ts"],
    "policy/settings.ts": ["test/policy.spec.ts"],
    "model/gate.ts": ["test/gate.spec.ts"],
    "model/cohorts.ts": ["test/cohorts.spec.ts"],
    "model/gatewayRegex.ts": ["test/gatewayRegex.spec.ts"],
    "model/capacity.ts": ["test/capacity.spec.ts"],
    "model/queueing.ts": ["test/queueing.spec.ts"],
    "model/capacityAnnotation.ts": ["test/capacity.spec.ts", "test/policy.spec.ts"],
    "model/configEdits.ts": ["test/configEdits.spec.ts"],
    "cli/planDiff.ts": ["test/planDiff.spec.ts"],
    "cli/planWarnings.ts": ["test/planWarnings.spec.ts"],
    "model/rollout.ts": ["test/rollout.spec.ts"],
    "model/metricQueries.ts": ["test/metricQueries.spec.ts", "test/collect.spec.ts"],
    "model/analysis.ts": ["test/analysis.spec.ts"],
    // Not the seeded simulations (test/judgeSimulation.spec.ts): under Stryker's instrumentation they
    // outlast mocha's 30 s on the dry run, and each mutant's 5 s timeout would count every one killed.
    "model/evidence.ts": ["test/evidence.spec.ts"],
    "model/advance.ts": ["test/advance.spec.ts"],
    "cli/stackEdit.ts": ["test/stackEdit.spec.ts"],
    "model/waves.ts": ["test/waves.spec.ts"],
    "model/grafanaDashboard.ts": ["test/grafanaDashboard.spec.ts"],
};

/** A module whose mutation score is below this fails `npm run mutation`. */
export const MINIMUM_SCORE = 90;
