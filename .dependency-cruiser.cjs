// The layers, bottom to top: model → components → program → index.ts, with the policy pack beside
// them on the model alone; the harness (the offline engine) on the model; cli over all of those;
// devtools over cli; test over everything. An import may only run down this list, never in a
// circle. test/layout.spec.ts runs these rules in npm test (README, Layout).
const folder = (name) => `^${name}/`;
const PROJECT = "^(model|components|program|policy|harness|cli|devtools|bin|test)/|^index\\.ts$";

/** A rule: files in `from` may import nothing in `forbidden`. */
function layer(name, from, forbidden, comment) {
    return { name, comment, severity: "error", from: { path: from }, to: { path: forbidden } };
}

module.exports = {
    forbidden: [
        {
            name: "no-circular",
            comment: "Files that import each other in a circle cannot be read, tested or moved one at a time.",
            severity: "error",
            from: {},
            to: { circular: true },
        },
        {
            name: "model-has-no-pulumi",
            comment: "The model is pure logic: no Pulumi SDK or provider, so it is tested without mocks.",
            severity: "error",
            from: { path: folder("model") },
            to: { path: "node_modules/@pulumi/" },
        },
        layer("model-is-the-bottom", folder("model"), PROJECT.replace("model|", ""), "The model imports only the model."),
        layer("components-over-the-model", folder("components"), "^(program|policy|harness|cli|devtools|bin|test)/|^index\\.ts$", "ComponentResources build on the model only."),
        layer("program-over-components", folder("program"), "^(policy|harness|cli|devtools|bin|test)/|^index\\.ts$", "The stack program's glue builds on components and the model."),
        layer("index-is-the-program", "^index\\.ts$", "^(policy|harness|cli|devtools|bin|test)/", "Pulumi evaluates index.ts: nothing of the tools may load with it."),
        layer("policy-on-the-model", folder("policy"), "^(components|program|harness|cli|devtools|bin|test)/|^index\\.ts$", "The pack loads alone under the CLI: only its own files and the model."),
        layer("harness-on-the-model", folder("harness"), "^(components|program|policy|cli|devtools|bin|test)/|^index\\.ts$", "The offline engine knows the model's stack files, not the program it runs."),
        layer("cli-below-devtools", folder("cli"), "^(devtools|test)/", "The operator's command never needs the developer tools or the specs."),
        layer("devtools-below-tests", folder("devtools"), "^test/", "Developer tools never load specs."),
        layer("bin-launches-cli", folder("bin"), "^(model|components|program|policy|harness|devtools|test)/|^index\\.ts$", "Launchers check Node.js, then hand over to the cli."),
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        exclude: { path: "^app/|^\\.stryker-tmp|^bench-results/" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
        enhancedResolveOptions: { extensions: [".ts", ".mjs", ".js"] },
    },
};
