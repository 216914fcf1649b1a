// The pure modules under mutation testing, each with the specs that cover it. A mutant of a module
// runs only that module's specs, so a module is killed by its own specs, not by the whole suite.
// Adding a module is one line here.

export const MUTATION_MODULES: Readonly<Record<string, readonly string[]>> = {
    "components/traffic.ts": ["test/traffic.spec.ts"],
    "components/hostnames.ts": ["test/hostnames.spec.ts", "test/config.spec.ts"],
    "components/imageReference.ts": ["test/imageReference.spec.ts", "test/config.spec.ts"],
    "components/aws/buildContext.ts": ["test/buildContext.spec.ts"],
    "components/validation.ts": ["test/validation.spec.ts", "test/config.spec.ts"],
    "components/config.ts": ["test/config.spec.ts"],
    "policy/policies.ts": ["test/policy.spec.ts"],
    "policy/kubernetes.ts": ["test/policyKubernetes.spec.ts", "test/policy.spec.ts"],
    "policy/images.ts": ["test/policyImages.spec.ts", "test/policy.spec.ts"],
    "policy/settings.ts": ["test/policy.spec.ts"],
    "components/gate.ts": ["test/gate.spec.ts"],
    "components/cohorts.ts": ["test/cohorts.spec.ts"],
    "components/gatewayRegex.ts": ["test/gatewayRegex.spec.ts"],
    "components/capacity.ts": ["test/capacity.spec.ts"],
    "policy/queueing.ts": ["test/queueing.spec.ts"],
    "policy/capacity.ts": ["test/capacity.spec.ts", "test/policy.spec.ts"],
    "tools/configEdits.ts": ["test/configEdits.spec.ts"],
    "tools/planDiff.ts": ["test/planDiff.spec.ts"],
    "tools/planWarnings.ts": ["test/planWarnings.spec.ts"],
    "components/rollout.ts": ["test/rollout.spec.ts"],
    "components/metricQueries.ts": ["test/metricQueries.spec.ts"],
    "components/analysis.ts": ["test/analysis.spec.ts"],
    "components/evidence.ts": ["test/evidence.spec.ts", "test/judgeSimulation.spec.ts"],
    "components/advance.ts": ["test/advance.spec.ts"],
    "tools/stackEdit.ts": ["test/stackEdit.spec.ts"],
};

/** A module whose mutation score is below this fails `npm run mutation`. */
export const MINIMUM_SCORE = 90;
