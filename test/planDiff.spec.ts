import { expect } from "chai";
import { specialResourceSig, specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc.js";
import { envByName, leafChanges, showLeaf } from "../cli/planDiff.ts";

describe("plan diff: null is a value, not a container", () => {
    it("shows a null that disappears or becomes an object as the leaf it is", () => {
        expect(leafChanges({ status: null }, {})).to.deep.equal([{ path: "status", before: "null", after: "(none)" }]);
        expect(leafChanges({ status: null }, { status: { ready: 1 } })).to.deep.equal([{ path: "status", before: "null", after: '{"ready":1}' }]);
    });
});

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

describe("plan diff: every changed leaf, old → new", () => {
    it("names each changed leaf by its path, through maps and lists, in path order", () => {
        const before = { spec: { replicas: 3, rules: [{ backendRefs: [{ name: "cart-blue", weight: 100 }, { name: "cart-green", weight: 0 }] }] } };
        const after = { spec: { replicas: 1, rules: [{ backendRefs: [{ name: "cart-blue", weight: 70 }, { name: "cart-green", weight: 30 }] }] } };
        expect(leafChanges(before, after)).to.deep.equal([
            { path: "spec.replicas", before: "3", after: "1" },
            { path: "spec.rules[0].backendRefs[0].weight", before: "100", after: "70" },
            { path: "spec.rules[0].backendRefs[1].weight", before: "0", after: "30" },
        ]);
        expect(leafChanges(before, structuredClone(before))).to.deep.equal([]);
    });

    it("shows what appears and disappears, leaf by leaf, as (none)", () => {
        expect(leafChanges({ a: 1 }, { a: 1, b: { c: "x" } })).to.deep.equal([{ path: "b.c", before: "(none)", after: '"x"' }]);
        expect(leafChanges({ list: [1, 2] }, { list: [1] })).to.deep.equal([{ path: "list[1]", before: "2", after: "(none)" }]);
        expect(leafChanges({ gone: [true] }, {})).to.deep.equal([{ path: "gone[0]", before: "true", after: "(none)" }]);
    });

    it("never shows a secret's value, and says only that it changed", () => {
        expect(leafChanges({ env: secret("a") }, { env: secret("b") })).to.deep.equal([{ path: "env", before: "[secret]", after: "[secret]" }]);
        expect(leafChanges({ env: secret("a") }, { env: secret("a") })).to.deep.equal([]);
        expect(leafChanges({ env: "plain" }, { env: secret("plain") })).to.deep.equal([{ path: "env", before: '"plain"', after: "[secret]" }]);
        expect(JSON.stringify(leafChanges({ v: secret({ deep: "hunter2" }) }, { v: secret({ deep: "other" }) }))).not.to.include("hunter2");
    });

    it("names a value only the update will know, and a resource by its URN", () => {
        expect(showLeaf(unknownValue)).to.equal("(known after the update)");
        expect(showLeaf({ [specialSigKey]: specialResourceSig, urn: "urn:pulumi:prod::p::t::n" })).to.equal("urn:pulumi:prod::p::t::n");
        expect(showLeaf(undefined)).to.equal("(none)");
        expect(showLeaf("x")).to.equal('"x"');
        expect(leafChanges({ image: "a" }, { image: unknownValue })).to.deep.equal([{ path: "image", before: '"a"', after: "(known after the update)" }]);
    });

    it("takes null for a leaf, lists keys in path order whatever order they were written in, and a new list element by element", () => {
        expect(leafChanges({ a: null }, { a: 1 })).to.deep.equal([{ path: "a", before: "null", after: "1" }]);
        expect(leafChanges({ a: 1 }, { a: null })).to.deep.equal([{ path: "a", before: "1", after: "null" }]);
        expect(leafChanges({ b: 1, a: 1 }, { a: 2, b: 2 }).map((c) => c.path)).to.deep.equal(["a", "b"]);
        expect(leafChanges({}, { list: [1] })).to.deep.equal([{ path: "list[0]", before: "(none)", after: "1" }]);
    });

    it("compares a list with a map, or a container with a scalar, as one leaf", () => {
        expect(leafChanges({ a: [1] }, { a: { 0: 1 } })).to.deep.equal([{ path: "a", before: "[1]", after: '{"0":1}' }]);
        expect(leafChanges({ a: { b: 1 } }, { a: 2 })).to.deep.equal([{ path: "a", before: '{"b":1}', after: "2" }]);
    });
});

describe("plan diff: env by variable name", () => {
    const container = (...env: unknown[]) => ({ spec: { containers: [{ name: "app", env }] } });
    it("shows an added variable as itself, not as every later entry moving down one", () => {
        const before = envByName(container({ name: "SWITCHYARD_SERVICE", value: "cart" }, { name: "SWITCHYARD_COLOR", value: "blue" }));
        const after = envByName(container({ name: "LOG_LEVEL", value: "debug" }, { name: "SWITCHYARD_SERVICE", value: "cart" }, { name: "SWITCHYARD_COLOR", value: "blue" }));
        expect(leafChanges(before, after)).to.deep.equal([{ path: "spec.containers[0].env.LOG_LEVEL", before: "(none)", after: '"debug"' }]);
    });

    it("keeps valueFrom entries' fields, quotes a name that is no identifier, and leaves a list of other shapes by index", () => {
        const from = { name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } };
        expect(envByName(container(from, { name: "A.B", value: "1" }))).to.deep.equal({ spec: { containers: [{ name: "app", env: { TOKEN: { valueFrom: from.valueFrom }, '["A.B"]': "1" } }] } });
        expect(leafChanges(envByName(container({ name: "A.B", value: "1" })), envByName(container({ name: "A.B", value: "2" })))).to.deep.equal([
            { path: 'spec.containers[0].env["A.B"]', before: '"1"', after: '"2"' },
        ]);
        // Two entries with one name, or a list that is not env, stay lists.
        expect(envByName({ env: [{ name: "A", value: "1" }, { name: "A", value: "2" }] })).to.deep.equal({ env: [{ name: "A", value: "1" }, { name: "A", value: "2" }] });
        expect(envByName({ ports: [{ name: "http", containerPort: 80 }] })).to.deep.equal({ ports: [{ name: "http", containerPort: 80 }] });
        // A secret env list is one leaf, never opened.
        expect(envByName({ env: secret([{ name: "A", value: "1" }]) })).to.deep.equal({ env: secret([{ name: "A", value: "1" }]) });
    });
});
