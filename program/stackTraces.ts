// Pulumi's entry (cmd/run) installs source-map-support, whose formatter then runs for every stack
// the SDK captures — several per resource — and took about half of a preview (docs/performance.md).
// Node's type stripping keeps our line and column positions exact, so there is nothing to map: give
// stack formatting back to V8. Under ts-node (Pulumi.yaml `typescript: true`) positions do need
// the maps, so it stays. index.ts imports this module first, before the provider SDKs load.

if (process.env.PULUMI_NODEJS_TYPESCRIPT !== "true") Reflect.deleteProperty(Error, "prepareStackTrace");
