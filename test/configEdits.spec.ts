// `--set` as `pulumi config set --path` takes it. Expected values follow Pulumi's own documented
// behaviour (`pulumi config set --help`, sdk/go/common/resource/properties_path.go's grammar), not
// this module's output.

import { expect } from "chai";
import { ConfigEditError, applyEdit, changedPaths, coerceValue, formatPath, parseEdit, parsePropertyPath } from "../model/configEdits.ts";

const edit = (config: Record<string, unknown>, path: string, value: string, secret = false) => applyEdit(config, { path, value, secret }, "switchyard");

describe("config edits: property paths as Pulumi parses them", () => {
    it("reads names, indexes and quoted names, in any order", () => {
        expect(parsePropertyPath("root")).to.deep.equal(["root"]);
        expect(parsePropertyPath("root.nested")).to.deep.equal(["root", "nested"]);
        expect(parsePropertyPath("clusters[1].greenWeight")).to.deep.equal(["clusters", 1, "greenWeight"]);
        expect(parsePropertyPath("root.array[0][12].nested")).to.deep.equal(["root", "array", 0, 12, "nested"]);
        expect(parsePropertyPath('env["A.B"]')).to.deep.equal(["env", "A.B"]);
        expect(parsePropertyPath('["key with \\"quotes\\""].x')).to.deep.equal(['key with "quotes"', "x"]);
        expect(parsePropertyPath("foo-bar")).to.deep.equal(["foo-bar"]);
        expect(parsePropertyPath('["a\\b"]'), "a backslash before anything but a quote is kept").to.deep.equal(["a\\b"]);
    });

    it("refuses what the strict parser refuses, saying what is wrong", () => {
        const refusals: [string, RegExp][] = [
            [".root", /starts with a name or an index/],
            ["root.", /ends with a name or an index/],
            ["root.[0]", /expected a name after "\."/],
            ["root[x]", /invalid array index "x"/],
            ["root[x1]", /invalid array index "x1"/],
            ["root[1x]", /invalid array index "1x"/],
            ["root[1", /missing closing bracket in array index/],
            ['root["a', /missing closing quote/],
            ['root["a"x', /missing closing bracket in property access/],
            ["", /empty config key path/],
        ];
        for (const [path, message] of refusals) expect(() => parsePropertyPath(path), path).to.throw(ConfigEditError, message);
    });

    it("writes a path back in the same notation", () => {
        expect(formatPath(["clusters", 1, "greenWeight"])).to.equal("clusters[1].greenWeight");
        expect(formatPath([0, "a"])).to.equal("[0].a");
    });
});

describe("config edits: values as `pulumi config set --path` stores them", () => {
    it("turns true and false into booleans and integers without a leading zero into numbers, and keeps anything else text", () => {
        expect(coerceValue("true")).to.equal(true);
        expect(coerceValue("false")).to.equal(false);
        expect(coerceValue("10")).to.equal(10);
        expect(coerceValue("0")).to.equal(0);
        expect(coerceValue("-3")).to.equal(-3);
        for (const text of ["0123", "12.5", "True", "1e3", "", " 1", "9007199254740993"]) expect(coerceValue(text), JSON.stringify(text)).to.equal(text);
    });

    it("splits key=value at the first =, and refuses a missing key or =", () => {
        expect(parseEdit("services[0].env.A=b=c", false)).to.deep.equal({ path: "services[0].env.A", value: "b=c", secret: false });
        expect(parseEdit("greenWeight=", true)).to.deep.equal({ path: "greenWeight", value: "", secret: true });
        expect(() => parseEdit("greenWeight", false)).to.throw(ConfigEditError, /expected path=value, got "greenWeight"/);
        expect(() => parseEdit("=5", false)).to.throw(ConfigEditError, /expected path=value, got "=5"/);
        expect(() => parseEdit(".greenWeight=1", false), "the whole path is checked, not a piece of it").to.throw(ConfigEditError, /starts with a name or an index/);
        expect(() => parseEdit("clusters[x].a=1", false), "the path is checked at once").to.throw(ConfigEditError, /invalid array index/);
        expect(parseEdit("aws:region=eu-west-1", false).path).to.equal("aws:region");
    });
});

describe("config edits: applied to a stack file's config", () => {
    const stack = {
        "switchyard:greenWeight": 0,
        "switchyard:clusters": [{ name: "east" }, { name: "west", trafficShare: 1 }],
        "switchyard:services": [{ name: "cart", env: { A: "1" } }],
    };

    it("sets a top-level key to the text as typed, in the project's namespace unless one is given", () => {
        expect(edit(stack, "greenWeight", "30")["switchyard:greenWeight"]).to.equal("30");
        expect(edit(stack, "aws:region", "eu-west-1")["aws:region"]).to.equal("eu-west-1");
        expect(edit(stack, "clusters", '[{"name":"x"}]')["switchyard:clusters"], "a list given whole stays JSON text").to.equal('[{"name":"x"}]');
    });

    it("sets a nested value with its type, leaving everything else as it was", () => {
        const edited = edit(stack, "clusters[1].greenWeight", "10");
        expect(edited["switchyard:clusters"]).to.deep.equal([{ name: "east" }, { name: "west", trafficShare: 1, greenWeight: 10 }]);
        expect(edit(stack, "services[0].env.B", "true")["switchyard:services"]).to.deep.equal([{ name: "cart", env: { A: "1", B: true } }]);
        expect(stack["switchyard:clusters"][1], "the original is untouched").to.deep.equal({ name: "west", trafficShare: 1 });
    });

    it("creates the containers a path needs, and appends at the end of a list", () => {
        expect(edit({}, "dns.enabled", "true")["switchyard:dns"]).to.deep.equal({ enabled: true });
        expect(edit({}, "names[0]", "a")["switchyard:names"]).to.deep.equal(["a"]);
        expect(edit(stack, "clusters[2].name", "north")["switchyard:clusters"]).to.have.length(3);
        expect(edit({ "switchyard:dns": "off" }, "dns.enabled", "true")["switchyard:dns"], "a top-level scalar gives way").to.deep.equal({ enabled: true });
        expect(edit({ "switchyard:x": { b: null } }, "x.b.c", "1")["switchyard:x"], "so does a null deeper down").to.deep.equal({ b: { c: 1 } });
    });

    it("refuses an index past the end, a name on a list and an index on a map", () => {
        expect(() => edit(stack, "clusters[3].name", "x")).to.throw(ConfigEditError, /clusters\[3\]: array index out of range/);
        expect(() => edit(stack, "clusters[-1].name", "x")).to.throw(ConfigEditError, /clusters\[-1\]: array index out of range/);
        expect(() => edit({}, "names[1]", "a"), "a new list starts empty").to.throw(ConfigEditError, /names\[1\]: array index out of range/);
        expect(() => edit(stack, "clusters.name", "x")).to.throw(ConfigEditError, /^clusters\.name: key for an array must be an int/);
        expect(() => edit(stack, "services[0].name[0]", "x")).to.throw(ConfigEditError, /^services\[0\]\.name: expected an array/);
        expect(() => edit(stack, '[""]', "x")).to.throw(ConfigEditError, /the first path segment must be a key name/);
        expect(() => edit(stack, "services[0].env[0]", "x")).to.throw(ConfigEditError, /key for a map must be a string/);
        expect(() => edit(stack, "services[0].name.first", "x")).to.throw(ConfigEditError, /services\[0\]\.name: expected a map/);
        expect(() => edit(stack, "[0]", "x")).to.throw(ConfigEditError, /first path segment must be a key name/);
    });

    it("marks a secret value as the stack loader reads one, keeping what the operator typed for the program", () => {
        const edited = edit(stack, "services[0].env.TOKEN", "hunter2", true);
        expect((edited["switchyard:services"] as { env: Record<string, unknown> }[])[0]!.env.TOKEN).to.deep.equal({ secure: "plan", plaintext: "hunter2" });
    });
});

describe("config edits: which paths a hand edit changed", () => {
    it("names each changed leaf, in the project's namespace without it and others with theirs", () => {
        const before = { "switchyard:greenWeight": 0, "switchyard:clusters": [{ name: "east", greenWeight: 10 }, { name: "west" }], "aws:region": "us-east-1" };
        const after = { "switchyard:greenWeight": 25, "switchyard:clusters": [{ name: "east", greenWeight: 10 }, { name: "west", greenWeight: 5 }], "aws:region": "eu-west-1" };
        expect(changedPaths(before, after, "switchyard")).to.deep.equal(["aws:region", "clusters[1].greenWeight", "greenWeight"]);
    });

    it("names a key or an item added or removed as a whole, and nothing when the values are equal", () => {
        expect(changedPaths({ "switchyard:services": [{ name: "a" }] }, { "switchyard:services": [{ name: "a" }, { name: "b" }], "switchyard:mirror": { percent: 5 } }, "switchyard")).to.deep.equal([
            "mirror",
            "services[1]",
        ]);
        expect(changedPaths({ "switchyard:services": [{ name: "a" }] }, {}, "switchyard")).to.deep.equal(["services"]);
        expect(changedPaths({ "switchyard:greenWeight": 5 }, { "switchyard:greenWeight": 5 }, "switchyard")).to.deep.equal([]);
        expect(changedPaths({ "switchyard:greenWeight": 5 }, { "switchyard:greenWeight": "5" }, "switchyard"), "a number that became text").to.deep.equal(["greenWeight"]);
    });

    it("treats a secure value as one leaf it never opens, and quotes a name that is no identifier", () => {
        const env = (value: unknown) => ({ "switchyard:services": [{ env: { "A.B": 1, DB_PASSWORD: value } }] });
        expect(changedPaths(env({ secure: "v1:abc" }), env({ secure: "v1:xyz" }), "switchyard")).to.deep.equal(["services[0].env.DB_PASSWORD"]);
        expect(changedPaths(env("plain"), env({ secure: "v1:xyz" }), "switchyard")).to.deep.equal(["services[0].env.DB_PASSWORD"]);
        expect(changedPaths({ "switchyard:services": [{ env: { "A.B": 1 } }] }, { "switchyard:services": [{ env: { "A.B": 2 } }] }, "switchyard")).to.deep.equal(['services[0].env["A.B"]']);
    });
});
