// The readers every config key goes through: one problem line per mistake, in the one shape
// `<key path>: got <value>; allowed: <what is allowed>`, secrets never echoed, typos answered with
// the nearest known key.

import { expect } from "chai";
import { ConfigError, ObjectReader, Problems, asInteger, closest, describeRange, isPlainObject, parseStructured, show, unknownKeyHint } from "../model/validation.ts";

/** A reader over `data` at path `x` whose known keys are the data's own, and the problems it records. */
function reader(data: Record<string, unknown>): { r: ObjectReader; problems: string[] } {
    const problems = new Problems();
    return { r: new ObjectReader(data, "x", problems, Object.keys(data)), problems: problems.list };
}

describe("validation: the error and its lines", () => {
    it("puts the count and 'nothing was registered or changed' above one indented line per problem", () => {
        const one = new ConfigError(["a: got 1; allowed: 2"]);
        expect(one.message).to.equal("switchyard: 1 config problem; nothing was registered or changed:\n  - a: got 1; allowed: 2");
        expect(one.name).to.equal("ConfigError");
        expect(one.problems).to.deep.equal(["a: got 1; allowed: 2"]);
        expect(new ConfigError(["p", "q"]).message).to.equal("switchyard: 2 config problems; nothing was registered or changed:\n  - p\n  - q");
    });

    it("builds each line as '<path>: got <value>; allowed: <allowed>' and throws only when there is one", () => {
        const problems = new Problems();
        expect(() => problems.throwIfAny()).to.not.throw();
        problems.add("switchyard:greenWeight", "150", "an integer from 0 to 100");
        problems.add("switchyard:clusters", undefined, "a list");
        expect(problems.list).to.deep.equal([
            'switchyard:greenWeight: got "150"; allowed: an integer from 0 to 100',
            "switchyard:clusters: got nothing (the key is missing); allowed: a list",
        ]);
        expect(() => problems.throwIfAny()).to.throw(ConfigError, /2 config problems/);
    });

    it("never echoes a value under a secret path, but still says when it is missing", () => {
        const problems = new Problems((path) => path.startsWith("switchyard:services"));
        problems.add("switchyard:services[0].env.DB", "hunter2", "text");
        problems.add("switchyard:services[1].env", undefined, "a map");
        problems.add("switchyard:greenWeight", "x", "a number");
        expect(problems.list).to.deep.equal([
            "switchyard:services[0].env.DB: got [secret]; allowed: text",
            "switchyard:services[1].env: got nothing (the key is missing); allowed: a map",
            'switchyard:greenWeight: got "x"; allowed: a number',
        ]);
    });

    it("shows values as JSON, cut to 80 characters", () => {
        expect(show(12.5)).to.equal("12.5");
        expect(show("")).to.equal('""');
        expect(show(null)).to.equal("null");
        expect(show({ a: [1] })).to.equal('{"a":[1]}');
        expect(show(undefined)).to.equal("nothing (the key is missing)");
        expect(show(() => 1)).to.equal("() => 1");
        const exactly80 = "a".repeat(78);
        expect(show(exactly80)).to.equal(`"${exactly80}"`);
        expect(show("a".repeat(79))).to.equal(`"${"a".repeat(76)}...`);
    });
});

describe("validation: values", () => {
    it("tells plain objects from arrays, null and scalars", () => {
        expect(isPlainObject({})).to.equal(true);
        for (const value of [[], null, undefined, "x", 1]) expect(isPlainObject(value), String(value)).to.equal(false);
    });

    it("reads integers from JSON numbers and digit strings only", () => {
        expect(asInteger(7)).to.equal(7);
        expect(asInteger(-3)).to.equal(-3);
        expect(asInteger("42")).to.equal(42);
        expect(asInteger("007")).to.equal(7);
        for (const value of [1.5, "1.5", "-1", " 1", "1e3", "", [12], true, null, 2 ** 53, "9007199254740993"]) {
            expect(asInteger(value), JSON.stringify(value)).to.equal(undefined);
        }
    });

    it("describes a range with and without a maximum and a meaning", () => {
        expect(describeRange({ min: 1 })).to.equal("an integer >= 1");
        expect(describeRange({ min: 0, max: 100, meaning: "percent" })).to.equal("an integer from 0 to 100 (percent)");
    });
});

describe("validation: structured keys", () => {
    it("hands back what the JSON text holds, falsy values too, and records nothing", () => {
        const problems = new Problems();
        for (const [text, value] of [["null", null], ["0", 0], ["false", false], ['""', ""], ['{"a":[1]}', { a: [1] }]] as const) {
            expect(parseStructured("switchyard:x", text, problems, "a YAML object"), text).to.deep.equal(value);
        }
        expect(problems.list).to.deep.equal([]);
    });

    it("records text that does not parse under the key, with the shape it should have, and hands back undefined", () => {
        const problems = new Problems();
        expect(parseStructured("switchyard:rollout", "{steps: [5", problems, "an object")).to.equal(undefined);
        expect(problems.list).to.deep.equal(['switchyard:rollout: got "{steps: [5"; allowed: an object in the stack file (it did not parse as one)']);
    });
});

describe("validation: did you mean", () => {
    const KEYS = ["name", "port", "ports", "replicas", "greenWeight"];

    it("suggests the nearest key whatever the case, within a third of the word's length (at least 2 edits)", () => {
        expect(closest("GREENWEIGHT", KEYS)).to.equal("greenWeight");
        expect(closest("greenwieght", KEYS), "a swap is 2 edits").to.equal("greenWeight");
        expect(closest("replcas", KEYS)).to.equal("replicas");
        expect(closest("ports", KEYS), "the exact key, not one a letter shorter").to.equal("ports");
        expect(closest("xyz", KEYS), "3 edits from every 3- or 4-letter key").to.equal(undefined);
        expect(closest("abcdefghijkl", ["abcdefghWXYZ"]), "12 letters: 4 edits allowed").to.equal("abcdefghWXYZ");
        expect(closest("abcdefghijkl", ["abcdefgVWXYZ"]), "12 letters: 5 edits too many").to.equal(undefined);
        expect(closest("abc", ["xyc"]), "2 edits allowed on a short word").to.equal("xyc");
    });

    it("takes the first of equally near keys", () => {
        expect(closest("tag", ["tab", "tan"])).to.equal("tab");
    });

    it("lists the known keys after the guess, or alone when nothing is near", () => {
        expect(unknownKeyHint("prot", ["name", "port"])).to.equal('did you mean "port"? Known keys: name, port');
        expect(unknownKeyHint("zzzzzz", ["name", "port"])).to.equal("known keys: name, port");
    });
});

describe("validation: ObjectReader", () => {
    it("reports each unknown key with the nearest known one", () => {
        const problems = new Problems();
        new ObjectReader({ nmae: "a", port: 1 }, "switchyard:x", problems, ["name", "port"]);
        expect(problems.list).to.deep.equal(['switchyard:x.nmae: got "a"; allowed: no such key; did you mean "name"? Known keys: name, port']);
    });

    it("counts a key left empty in YAML (null) as absent", () => {
        const { r, problems } = reader({ a: null, b: null, c: null, d: null, e: null, f: null, g: null });
        expect(r.has("a")).to.equal(false);
        expect(r.optionalString("a", "text")).to.equal(undefined);
        expect(r.string("b", "text", { fallback: "fb" })).to.equal("fb");
        expect(r.integer("c", { min: 0 }, 5)).to.equal(5);
        expect(r.object("d", [], { required: false, allowed: "an object" })).to.equal(undefined);
        expect(r.stringList("e", "a list", { minItems: 0 })).to.deep.equal([]);
        expect(r.stringMap("f", "a map")).to.deep.equal({});
        expect(r.optionalInteger("g", { min: 0 })).to.equal(undefined);
        expect(problems).to.deep.equal([]);
    });

    it("reads a string, and refuses an empty one, a non-string and one that breaks the pattern", () => {
        const { r, problems } = reader({ ok: "abc", empty: "", number: 5, upper: "ABC" });
        expect(r.string("ok", "text", { pattern: /^[a-z]+$/ })).to.equal("abc");
        expect(r.string("empty", "text")).to.equal(undefined);
        expect(r.string("number", "text", { fallback: "fb" })).to.equal("fb");
        expect(r.string("upper", "lowercase", { pattern: /^[a-z]+$/ })).to.equal(undefined);
        expect(r.string("missing", "text")).to.equal(undefined);
        expect(problems).to.deep.equal([
            'x.empty: got ""; allowed: text',
            "x.number: got 5; allowed: text",
            'x.upper: got "ABC"; allowed: lowercase',
            "x.missing: got nothing (the key is missing); allowed: text",
        ]);
    });

    it("reads integers within the rule's bounds, inclusive, and answers the fallback (else the minimum) for a bad one", () => {
        const { r, problems } = reader({ low: 10, high: 30, over: 31, under: 9, text: "abc", quoted: "20" });
        const rule = { min: 10, max: 30 };
        expect(r.integer("low", rule)).to.equal(10);
        expect(r.integer("high", rule)).to.equal(30);
        expect(r.integer("quoted", rule)).to.equal(20);
        expect(r.integer("over", rule, 25)).to.equal(25);
        expect(r.integer("under", rule)).to.equal(10);
        expect(r.integer("text", { min: 1 })).to.equal(1);
        expect(problems).to.deep.equal([
            "x.over: got 31; allowed: an integer from 10 to 30",
            "x.under: got 9; allowed: an integer from 10 to 30",
            'x.text: got "abc"; allowed: an integer >= 1',
        ]);
    });

    it("reads a nested object with its own path, and refuses a list or a scalar in its place", () => {
        const { r, problems } = reader({ inner: { k: 1 }, list: [1], text: "s" });
        const inner = r.object("inner", ["k"], { required: true, allowed: "an object" });
        expect(inner?.path).to.equal("x.inner");
        expect(inner?.integer("k", { min: 0 })).to.equal(1);
        expect(r.object("list", [], { required: false, allowed: "an object" })).to.equal(undefined);
        expect(r.object("text", [], { required: false, allowed: "an object" })).to.equal(undefined);
        expect(r.object("missing", [], { required: true, allowed: "an object" })).to.equal(undefined);
        expect(problems).to.deep.equal([
            "x.list: got [1]; allowed: an object",
            'x.text: got "s"; allowed: an object',
            "x.missing: got nothing (the key is missing); allowed: an object",
        ]);
    });

    it("reads a list of strings, reporting each bad item at its index and keeping the good ones", () => {
        const { r, problems } = reader({ names: ["a", 1, "B", "c"], empty: [], one: ["a"], text: "a", mixed: ["a", 2] });
        expect(r.stringList("names", "lowercase names", { pattern: /^[a-z]+$/, minItems: 1 })).to.deep.equal(["a", "c"]);
        expect(r.stringList("mixed", "names", { minItems: 0 }), "without a pattern, a number is still no string").to.deep.equal(["a"]);
        expect(r.stringList("one", "names", { minItems: 0 })).to.deep.equal(["a"]);
        expect(r.stringList("empty", "a non-empty list", { minItems: 1 })).to.deep.equal([]);
        expect(r.stringList("text", "a list", { minItems: 0 })).to.deep.equal([]);
        expect(r.stringList("missing", "a list", { minItems: 0 })).to.deep.equal([]);
        expect(problems).to.deep.equal([
            "x.names[1]: got 1; allowed: lowercase names",
            'x.names[2]: got "B"; allowed: lowercase names',
            "x.mixed[1]: got 2; allowed: names",
            "x.empty: got []; allowed: a non-empty list",
            'x.text: got "a"; allowed: a list',
        ]);
    });

    it("reads a map of text, keeping numbers and booleans as their text, and reports bad names and values by name", () => {
        const { r, problems } = reader({ env: { A: "1", B: 2, C: false, "bad-name": "x", D: { nested: 1 }, E: null }, list: ["A=1"] });
        expect(r.stringMap("env", "NAME: value", /^[A-Z]+$/)).to.deep.equal({ A: "1", B: "2", C: "false" });
        expect(r.stringMap("list", "NAME: value")).to.deep.equal({});
        expect(problems).to.deep.equal([
            'x.env.bad-name: got "bad-name"; allowed: NAME: value',
            'x.env.D: got {"nested":1}; allowed: NAME: value',
            "x.env.E: got null; allowed: NAME: value",
            'x.list: got ["A=1"]; allowed: NAME: value',
        ]);
    });

    it("names a key's full path and reports a problem with its value", () => {
        const { r, problems } = reader({ k: [true] });
        expect(r.at("k")).to.equal("x.k");
        expect(r.raw("k")).to.deep.equal([true]);
        r.problem("k", "something else");
        expect(problems).to.deep.equal(["x.k: got [true]; allowed: something else"]);
    });
});
