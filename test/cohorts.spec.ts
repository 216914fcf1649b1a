// Cohorts and shadow traffic: the config readers and their error shape, the checks against the
// fleet, the RE2 pattern check, and the Gateway API objects they become.

import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { expect } from "chai";
import { cohortColorsOn, cohortRules, cookiePattern, mirrorFilter } from "../components/cohorts.ts";
import { regexProblem } from "../components/gatewayRegex.ts";
import { cluster, expectOneProblem, parse, problemsOf, service } from "./stackFixture.ts";

const beta = (extra: Record<string, unknown> = {}) => ({
    name: "beta",
    color: "green",
    match: { headers: [{ name: "x-switchyard-cohort", value: "beta" }] },
    ...extra,
});

/** A route holding the given rules in front of the weighted one, as the schema sees it. */
function validateRoute(rules: object[]): void {
    new HTTPRoute({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "cart", namespace: "shop" },
        spec: {
            parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "public", namespace: "gateway-system" }],
            hostnames: ["cart.east.example.com"],
            rules: [
                ...rules,
                { matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ group: "", kind: "Service", name: "cart-blue", port: 8080, weight: 100 }] },
            ],
        },
    } as never).validate();
}

describe("cohorts: reading them", () => {
    it("reads a cohort with header, cookie and query parameter matches, Exact by default", () => {
        const model = parse({
            cohorts: [
                beta({
                    match: [
                        { headers: [{ name: "x-switchyard-cohort", value: "beta" }, { name: "x-region", value: "eu-.*", type: "RegularExpression" }] },
                        { cookie: { name: "cohort", value: "beta" } },
                        { queryParams: [{ name: "cohort", value: "beta" }] },
                    ],
                    services: ["cart"],
                    clusters: ["west"],
                }),
            ],
        });
        expect(model.cohorts).to.deep.equal([
            {
                name: "beta",
                color: "green",
                matches: [
                    {
                        headers: [
                            { name: "x-switchyard-cohort", value: "beta", type: "Exact" },
                            { name: "x-region", value: "eu-.*", type: "RegularExpression" },
                        ],
                        queryParams: [],
                    },
                    { headers: [], cookie: { name: "cohort", value: "beta" }, queryParams: [] },
                    { headers: [], queryParams: [{ name: "cohort", value: "beta", type: "Exact" }] },
                ],
                services: ["cart"],
                clusters: ["west"],
            },
        ]);
    });

    it("has no cohorts and no mirror unless the stack sets them, and mirror percent 0 is off", () => {
        expect(parse().cohorts).to.deep.equal([]);
        expect(parse().mirror).to.equal(undefined);
        expect(parse({ mirror: { percent: 0 } }).mirror).to.equal(undefined);
        expect(parse({ mirror: { percent: 10 } }).mirror).to.deep.equal({ percent: 10 });
    });

    it("applies a cohort to the services and clusters it names, or to all", () => {
        const model = parse({ cohorts: [beta({ services: ["cart"] }), beta({ name: "staff", color: "blue", clusters: ["west"] })] });
        expect(cohortColorsOn(model.cohorts, "cart", "east")).to.deep.equal(["green"]);
        expect(cohortColorsOn(model.cohorts, "cart", "west")).to.deep.equal(["green", "blue"]);
        expect(cohortColorsOn(model.cohorts, "checkout", "east")).to.deep.equal([]);
        expect(cohortColorsOn(model.cohorts, "checkout", "west")).to.deep.equal(["blue"]);
    });
});

describe("cohorts: every bad input gets one error naming the key", () => {
    it("refuses a cohort to a color a service it covers does not deploy", () => {
        const services = [service("cart"), service("checkout", { green: undefined })];
        expectOneProblem({ services, cohorts: [beta()] }, "switchyard:cohorts[0].color", '"green"', /services\[1\] \(checkout\) has no green/);
        expect(parse({ services, cohorts: [beta({ services: ["cart"] })] }).cohorts, "not when the cohort leaves that service out").to.have.length(1);
    });

    it("refuses a header name that is not an RFC 7230 token", () => {
        for (const name of ["x cohort", "x-cohort:", ":authority", "", "x\u00e9"]) {
            const match = { headers: [{ name, value: "beta" }] };
            expectOneProblem({ cohorts: [beta({ match })] }, "switchyard:cohorts[0].match.headers[0].name", JSON.stringify(name), /RFC 7230 token/);
        }
        const long = "x".repeat(257);
        expectOneProblem({ cohorts: [beta({ match: { headers: [{ name: long, value: "1" }] } })] }, "switchyard:cohorts[0].match.headers[0].name", /^"x+\.\.\.$/, /at most 256/);
    });

    it("refuses a regular expression that does not compile, or that RE2-based gateways refuse", () => {
        const cases: [string, RegExp][] = [
            ["(beta", /does not compile/],
            ["beta(?=-1)", /lookaround/],
            ["(b)eta\\1", /backreference/],
            ["[z-a]", /does not compile/],
        ];
        for (const [value, reason] of cases) {
            const match = { headers: [{ name: "x-cohort", value, type: "RegularExpression" }] };
            expectOneProblem({ cohorts: [beta({ match })] }, "switchyard:cohorts[0].match.headers[0].value", JSON.stringify(value), reason);
        }
        const query = { queryParams: [{ name: "cohort", value: "*beta", type: "RegularExpression" }] };
        expectOneProblem({ cohorts: [beta({ match: query })] }, "switchyard:cohorts[0].match.queryParams[0].value", '"*beta"', /does not compile/);
        expect(parse({ cohorts: [beta({ match: { headers: [{ name: "x-cohort", value: "(beta", type: "Exact" }] } })] }).cohorts, "an Exact value is no pattern").to.have.length(1);
    });

    it("refuses mirror percent over 100, or not a whole number", () => {
        expectOneProblem({ mirror: { percent: 150 } }, "switchyard:mirror.percent", "150", /integer from 0 to 100/);
        expectOneProblem({ mirror: { percent: 12.5 } }, "switchyard:mirror.percent", "12.5", /integer from 0 to 100/);
        expectOneProblem({ mirror: { percnt: 10 } }, "switchyard:mirror.percnt", "10", /did you mean "percent"/);
    });

    it("refuses more cohorts on one route than the CRD's 16 rules leave, and accepts 15", () => {
        const cohorts = (count: number) => Array.from({ length: count }, (_, i) => beta({ name: `c${i}` }));
        expect(parse({ cohorts: cohorts(15) }).cohorts).to.have.length(15);
        expectOneProblem({ cohorts: cohorts(16) }, "switchyard:cohorts", '"16 cohorts"', /at most 15 cohorts on one service and cluster.*cart on east \(16\)/);
        const narrowed = [...cohorts(15), beta({ name: "c15", clusters: ["west"] })];
        expectOneProblem({ cohorts: narrowed }, "switchyard:cohorts", '"16 cohorts"', /Over on cart on west \(16\), checkout on west \(16\);/);
    });

    it("refuses more matches than the CRD takes: 64 in one rule, 128 in one route", () => {
        const match = (i: number) => ({ headers: [{ name: "x-user", value: `u${i}` }] });
        const matches = (count: number, from = 0) => Array.from({ length: count }, (_, i) => match(from + i));
        expectOneProblem({ cohorts: [beta({ match: matches(65) })] }, "switchyard:cohorts[0].match", /^\[\{"headers":\[\{"name":"x-user","value":"u0"\}\]\},.*\.\.\.$/, /list of 1 to 64/);
        const two = [beta({ match: matches(64) }), beta({ name: "more", match: matches(64, 64) })];
        expectOneProblem({ cohorts: two }, "switchyard:cohorts", '"2 cohorts"', /at most 128 matches on one HTTPRoute.*\(129\)/);
    });

    it("refuses 17 header conditions in one match, the cookie counted", () => {
        const headers = Array.from({ length: 16 }, (_, i) => ({ name: `x-h${i}`, value: "1" }));
        expect(parse({ cohorts: [beta({ match: { headers } })] }).cohorts).to.have.length(1);
        const withCookie = { headers, cookie: { name: "beta", value: "1" } };
        expectOneProblem({ cohorts: [beta({ match: withCookie })] }, "switchyard:cohorts[0].match.headers", /^\[\{"name":"x-h0","value":"1"\},.*\.\.\.$/, /at most 16 header matches, the cookie counted/);
    });

    it("refuses a match with no condition: it would take every request off the weights", () => {
        for (const match of [{}, { headers: [] }, { headers: [], queryParams: [] }]) {
            expectOneProblem({ cohorts: [beta({ match })] }, "switchyard:cohorts[0].match", JSON.stringify(match), /at least one condition.*every request/);
        }
    });

    it("refuses a header matched twice in one match, names compared without case, the cookie being the Cookie header", () => {
        const twice = { headers: [{ name: "X-Cohort", value: "a" }, { name: "x-cohort", value: "b" }] };
        expectOneProblem({ cohorts: [beta({ match: twice })] }, "switchyard:cohorts[0].match.headers[1].name", '"x-cohort"', /not already matched/);
        const cookieTwice = { headers: [{ name: "Cookie", value: "beta=1" }], cookie: { name: "beta", value: "1" } };
        expectOneProblem({ cohorts: [beta({ match: cookieTwice })] }, "switchyard:cohorts[0].match.cookie", '"cookie"', /Cookie header/);
        const queryTwice = { queryParams: [{ name: "c", value: "a" }, { name: "c", value: "b" }] };
        expectOneProblem({ cohorts: [beta({ match: queryTwice })] }, "switchyard:cohorts[0].match.queryParams[1].name", '"c"', /query parameter name/);
    });

    it("refuses cookie values RFC 6265 does not allow and header values that are not printable", () => {
        expectOneProblem({ cohorts: [beta({ match: { cookie: { name: "beta", value: "a;b" } } })] }, "switchyard:cohorts[0].match.cookie.value", '"a;b"', /RFC 6265/);
        expectOneProblem({ cohorts: [beta({ match: { headers: [{ name: "x", value: " beta" }] } })] }, "switchyard:cohorts[0].match.headers[0].value", '" beta"', /printable ASCII/);
        const almost = `${"a".repeat(4000)}\u0007`;
        expectOneProblem({ cohorts: [beta({ match: { headers: [{ name: "x", value: almost }] } })] }, "switchyard:cohorts[0].match.headers[0].value", /^"a+\.\.\.$/, /printable ASCII/);
        expectOneProblem({ cohorts: [beta({ match: { headers: [{ name: "x", value: "b", type: "Prefix" }] } })] }, "switchyard:cohorts[0].match.headers[0].type", '"Prefix"', /Exact \(the default\) or RegularExpression/);
    });

    it("refuses unknown services and clusters, a color that is neither blue nor green, and a repeated cohort name", () => {
        expectOneProblem({ cohorts: [beta({ services: ["carts"] })] }, "switchyard:cohorts[0].services[0]", '"carts"', /a service in switchyard:services \(cart, checkout\)/);
        expectOneProblem({ cohorts: [beta({ clusters: ["north"] })] }, "switchyard:cohorts[0].clusters[0]", '"north"', /a cluster in switchyard:clusters \(east, west\)/);
        expectOneProblem({ cohorts: [beta({ color: "red" })] }, "switchyard:cohorts[0].color", '"red"', /blue or green/);
        expectOneProblem({ cohorts: [beta(), beta()] }, "switchyard:cohorts[1].name", '"beta"', /cohorts\[0\] is also "beta"/);
        expectOneProblem({ cohorts: [beta({ services: [] })] }, "switchyard:cohorts[0].services", "[]", /non-empty list/);
        expectOneProblem({ cohorts: { name: "beta" } }, "switchyard:cohorts", '{"name":"beta"}', /^a list of cohorts, each \{name, color, match, services\?, clusters\?\}$/);
    });

    it("reports every mistake of a cohort list in one pass", () => {
        const problems = problemsOf({
            cohorts: [beta({ color: "red" }), { name: "Bad Name", color: "blue", match: { headers: [{ name: "x y", value: "1" }] } }],
            mirror: { percent: 101 },
        });
        expect(problems.map((p) => p.split(":").slice(0, 2).join(":"))).to.deep.equal([
            "switchyard:cohorts[0].color",
            "switchyard:cohorts[1].name",
            "switchyard:cohorts[1].match.headers[0].name",
            "switchyard:mirror.percent",
        ]);
    });
});

describe("cohorts: HTTPRoute rules", () => {
    it("makes one rule per cohort, in config order, each sending its matches to its color alone", () => {
        const model = parse({
            cohorts: [
                beta({ match: [{ headers: [{ name: "x-switchyard-cohort", value: "beta" }] }, { queryParams: [{ name: "cohort", value: "beta" }] }] }),
                { name: "staff", color: "blue", match: { cookie: { name: "staff", value: "yes" } }, clusters: ["east"] },
            ],
        });
        const rules = cohortRules(model.cohorts, { name: "cart", port: 8080 }, { name: "east" });
        expect(rules).to.deep.equal([
            {
                matches: [
                    { path: { type: "PathPrefix", value: "/" }, headers: [{ name: "x-switchyard-cohort", type: "Exact", value: "beta" }] },
                    { path: { type: "PathPrefix", value: "/" }, queryParams: [{ name: "cohort", type: "Exact", value: "beta" }] },
                ],
                backendRefs: [{ group: "", kind: "Service", name: "cart-green", port: 8080 }],
            },
            {
                matches: [{ path: { type: "PathPrefix", value: "/" }, headers: [{ name: "Cookie", type: "RegularExpression", value: "^(?:.*;\\s*)?staff=yes(?:\\s*;.*)?$" }] }],
                backendRefs: [{ group: "", kind: "Service", name: "cart-blue", port: 8080 }],
            },
        ]);
        expect(cohortRules(model.cohorts, { name: "cart", port: 8080 }, { name: "west" }), "staff is east's only").to.have.length(1);
        validateRoute(rules);
    });

    it("validates against the Gateway API schema at the CRD's limits: 15 cohort rules, 64 matches, 16 headers", () => {
        const headers = Array.from({ length: 16 }, (_, i) => ({ name: `x-h${i}`, value: `v${i}` }));
        const cohorts = [
            beta({ match: Array.from({ length: 64 }, (_, i) => ({ headers: [{ name: "x-user", value: `u${i}` }] })) }),
            beta({ name: "wide", match: { headers } }),
            ...Array.from({ length: 13 }, (_, i) => beta({ name: `c${i}`, match: { queryParams: [{ name: "c", value: String(i) }] } })),
        ];
        const rules = cohortRules(parse({ cohorts }).cohorts, { name: "cart", port: 8080 }, { name: "east" });
        expect(rules).to.have.length(15);
        validateRoute(rules);
        expect(() => validateRoute([...rules, rules[2]!]), "and the schema itself refuses a 17th rule").to.throw(/rules/);
    });

    it("matches a cookie among others in the Cookie header, never a longer name or value", () => {
        const pattern = new RegExp(cookiePattern({ name: "beta", value: "1" }));
        for (const header of ["beta=1", "a=2; beta=1", "beta=1; a=2", "a=2;beta=1;c=3", "x=y;  beta=1"]) expect(pattern.test(header), header).to.equal(true);
        for (const header of ["beta=10", "xbeta=1", "beta=", "a=beta=1", "beta=2; a=1", "abeta=1; b=2"]) expect(pattern.test(header), header).to.equal(false);
        const dotted = new RegExp(cookiePattern({ name: "a.b", value: "x+y" }));
        expect(dotted.test("a.b=x+y")).to.equal(true);
        expect(dotted.test("aXb=xxy"), "punctuation is literal").to.equal(false);
        expect(regexProblem(cookiePattern({ name: "a.b", value: "(x)|[y]{1}" }))).to.equal(undefined);
    });
});

describe("shadow traffic: the RequestMirror filter", () => {
    const cart = service("cart") as unknown as Parameters<typeof mirrorFilter>[1];

    it("copies to the color with the smaller weight: the idle candidate at 0/100, blue at 30/70", () => {
        expect(mirrorFilter({ percent: 10 }, cart, { blue: 100, green: 0 })).to.deep.equal({
            type: "RequestMirror",
            requestMirror: { backendRef: { group: "", kind: "Service", name: "cart-green", port: 8080 }, percent: 10 },
        });
        expect(mirrorFilter({ percent: 10 }, cart, { blue: 70, green: 30 })?.requestMirror?.backendRef.name).to.equal("cart-green");
        expect(mirrorFilter({ percent: 100 }, cart, { blue: 30, green: 70 })?.requestMirror?.backendRef.name).to.equal("cart-blue");
    });

    it("mirrors nothing at 50/50, without mirror config, or to a color that is not deployed", () => {
        expect(mirrorFilter({ percent: 10 }, cart, { blue: 50, green: 50 })).to.equal(undefined);
        expect(mirrorFilter(undefined, cart, { blue: 100, green: 0 })).to.equal(undefined);
        const blueOnly = service("cart", { green: undefined }) as unknown as Parameters<typeof mirrorFilter>[1];
        expect(mirrorFilter({ percent: 10 }, blueOnly, { blue: 100, green: 0 })).to.equal(undefined);
    });

    it("validates with percent on the weighted rule of a v1 HTTPRoute, next to cohort rules", () => {
        const filter = mirrorFilter({ percent: 25 }, cart, { blue: 100, green: 0 })!;
        const model = parse({ cohorts: [beta()] });
        const rules = [
            ...cohortRules(model.cohorts, { name: "cart", port: 8080 }, cluster("east")),
            { matches: [{ path: { type: "PathPrefix", value: "/" } }], filters: [filter], backendRefs: [{ group: "", kind: "Service", name: "cart-blue", port: 8080, weight: 100 }] },
        ];
        validateRoute(rules);
        const broken = { ...filter, requestMirror: { ...filter.requestMirror!, percent: 101 } };
        expect(() => validateRoute([{ ...rules[1]!, filters: [broken] }]), "the schema bounds percent too").to.throw(/percent/);
    });
});
