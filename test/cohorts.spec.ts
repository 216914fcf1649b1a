// Cohorts and shadow traffic: the config readers and their error shape, the checks against the
// fleet, the RE2 pattern check, and the Gateway API objects they become.

import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { expect } from "chai";
import { cohortColorsOn, cohortRules, cookiePattern, mirrorFilter, mirrorTarget, readCohorts } from "../model/cohorts.ts";
import { regexProblem } from "../model/gatewayRegex.ts";
import { Problems } from "../model/validation.ts";
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

    it("reads header values with single spaces between words, and YAML numbers and booleans as their text", () => {
        const match = {
            headers: [{ name: "x-agent", value: "beta tester 2" }, { name: "x-tier", value: 1 }],
            queryParams: [{ name: "beta", value: true }],
        };
        expect(parse({ cohorts: [beta({ match })] }).cohorts[0]!.matches).to.deep.equal([
            {
                headers: [
                    { name: "x-agent", value: "beta tester 2", type: "Exact" },
                    { name: "x-tier", value: "1", type: "Exact" },
                ],
                queryParams: [{ name: "beta", value: "true", type: "Exact" }],
            },
        ]);
    });

    it("reads a query parameter value as the Gateway API does: any text without control characters, spaces and letters beyond ASCII included", () => {
        const match = { queryParams: [{ name: "q", value: " caf\u00e9  au lait" }] };
        expect(parse({ cohorts: [beta({ match })] }).cohorts[0]!.matches[0]!.queryParams).to.deep.equal([{ name: "q", value: " caf\u00e9  au lait", type: "Exact" }]);
    });

    it("reads a one-letter cohort name, and one of 63 letters, a DNS label's longest", () => {
        expect(parse({ cohorts: [beta({ name: "b" })] }).cohorts.map((c) => c.name)).to.deep.equal(["b"]);
        expect(parse({ cohorts: [beta({ name: "b".repeat(63) })] }).cohorts.map((c) => c.name)).to.deep.equal(["b".repeat(63)]);
    });

    it("reads names and values right at the CRD's limits: 256-character names, 4096-character header values, 1024-character query values", () => {
        const name = "x".repeat(256);
        const match = {
            headers: [{ name, value: "a".repeat(4096) }],
            queryParams: [{ name, value: "q".repeat(1024) }],
        };
        const [read] = parse({ cohorts: [beta({ match })] }).cohorts[0]!.matches;
        expect(read!.headers.map((h) => [h.name.length, h.value.length])).to.deep.equal([[256, 4096]]);
        expect(read!.queryParams.map((q) => [q.name.length, q.value.length])).to.deep.equal([[256, 1024]]);
    });

    it("reads a cookie with a 256-character name, and one whose Cookie header pattern is exactly 4096 characters", () => {
        const longName = { cookie: { name: "c".repeat(256), value: "1" } };
        expect(parse({ cohorts: [beta({ match: longName })] }).cohorts[0]!.matches[0]!.cookie).to.deep.equal({ name: "c".repeat(256), value: "1" });
        // ^(?:.*;\s*)? and (?:\s*;.*)?$ are 12 characters each, = one more: 25 around name and value, so beta leaves 4067 for the value.
        const fits = { cookie: { name: "beta", value: "v".repeat(4067) } };
        expect(parse({ cohorts: [beta({ match: fits })] }).cohorts[0]!.matches[0]!.cookie!.value).to.have.length(4067);
    });
});

describe("cohorts: every bad input gets one error naming the key", () => {
    it("refuses a cohort to a color a service it covers does not deploy", () => {
        const services = [service("cart"), service("checkout", { green: undefined })];
        expectOneProblem(
            { services, cohorts: [beta()] },
            "switchyard:cohorts[0].color",
            '"green"',
            /services\[1\] \(checkout\) has no green; deploy it \(services\[1\]\.green\) or list the cohort's services$/,
        );
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
        expectOneProblem(
            { cohorts: two },
            "switchyard:cohorts",
            '"2 cohorts"',
            /at most 128 matches on one HTTPRoute.*\. Over on cart on east \(129\), checkout on east \(129\), cart on west \(129\), checkout on west \(129\)$/,
        );
        const exactly = [beta({ match: matches(64) }), beta({ name: "more", match: matches(63, 64) })];
        expect(parse({ cohorts: exactly }).cohorts, "64 + 63 cohort matches and the weighted rule's one make 128").to.have.length(2);
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

    it("refuses a cohort name that is not a lowercase DNS label: a trailing dash, an underscore, 64 characters", () => {
        for (const name of ["beta-", "beta_1", "b".repeat(64)]) {
            expectOneProblem({ cohorts: [beta({ name })] }, "switchyard:cohorts[0].name", JSON.stringify(name), /^a lowercase DNS label naming the cohort, e\.g\. beta$/);
        }
    });

    it("refuses cohorts or a mirror that did not parse as YAML, with that one line", () => {
        expectOneProblem({ cohorts: "[{name: beta" }, "switchyard:cohorts", '"[{name: beta"', /^a YAML list or object in the stack file \(it did not parse as one\)$/);
        expectOneProblem({ mirror: "{percent: 10" }, "switchyard:mirror", '"{percent: 10"', /^a YAML list or object in the stack file \(it did not parse as one\)$/);
    });

    it("returns no cohorts from a list that did not read, whatever the caller does next", () => {
        const problems = new Problems();
        expect(readCohorts("[{name: beta", problems)).to.deep.equal([]);
        expect(problems.list).to.have.length(1);
    });

    it("refuses a cohort, a match or a condition that is not an object, at its own index", () => {
        expectOneProblem({ cohorts: ["beta"] }, "switchyard:cohorts[0]", '"beta"', /^a list of cohorts, each \{name, color, match, services\?, clusters\?\}$/);
        const secondMatch = [{ headers: [{ name: "x-cohort", value: "beta" }] }, "x-cohort: beta"];
        expectOneProblem({ cohorts: [beta({ match: secondMatch })] }, "switchyard:cohorts[0].match[1]", '"x-cohort: beta"', /^a match object \{headers, cookie, queryParams\} with at least one condition$/);
        const header = { headers: ["x-cohort: beta"] };
        expectOneProblem({ cohorts: [beta({ match: header })] }, "switchyard:cohorts[0].match.headers[0]", '"x-cohort: beta"', /^a list of header matches \{name, value, type\}$/);
    });

    it("refuses headers, query parameters or a cookie given in the wrong shape, naming the shape", () => {
        const headers = { headers: { name: "x-cohort", value: "beta" } };
        expectOneProblem({ cohorts: [beta({ match: headers })] }, "switchyard:cohorts[0].match.headers", '{"name":"x-cohort","value":"beta"}', /^a list of header matches \{name, value, type\}; at most 16$/);
        const query = { queryParams: "cohort=beta" };
        expectOneProblem({ cohorts: [beta({ match: query })] }, "switchyard:cohorts[0].match.queryParams", '"cohort=beta"', /^a list of query parameter matches \{name, value, type\}; at most 16$/);
        const cookie = { cookie: "beta=1" };
        expectOneProblem({ cohorts: [beta({ match: cookie })] }, "switchyard:cohorts[0].match.cookie", '"beta=1"', /^an object with the cookie's name and value$/);
    });

    it("refuses a match that is neither an object nor a list of 1 to 64 of them", () => {
        for (const match of ["x-cohort=beta", []]) {
            expectOneProblem({ cohorts: [beta({ match })] }, "switchyard:cohorts[0].match", JSON.stringify(match), /or a list of 1 to 64 of them/);
        }
    });

    it("refuses 17 query parameters or 17 headers in one match, the list named with its limit", () => {
        const many = Array.from({ length: 17 }, (_, i) => ({ name: `p${i}`, value: "1" }));
        expectOneProblem({ cohorts: [beta({ match: { queryParams: many } })] }, "switchyard:cohorts[0].match.queryParams", /^\[\{"name":"p0","value":"1"\},.*\.\.\.$/, /^a list of query parameter matches \{name, value, type\}; at most 16$/);
        expectOneProblem({ cohorts: [beta({ match: { headers: many } })] }, "switchyard:cohorts[0].match.headers", /^\[\{"name":"p0","value":"1"\},.*\.\.\.$/, /^a list of header matches \{name, value, type\}; at most 16$/);
    });

    it("names a header or a query parameter in the rule for its name, with an example of each", () => {
        expectOneProblem({ cohorts: [beta({ match: { headers: [{ name: "x y", value: "1" }] } })] }, "switchyard:cohorts[0].match.headers[0].name", '"x y"', /^a header name: an RFC 7230 token .* e\.g\. x-switchyard-cohort$/);
        expectOneProblem({ cohorts: [beta({ match: { queryParams: [{ name: "a b", value: "1" }] } })] }, "switchyard:cohorts[0].match.queryParams[0].name", '"a b"', /^a query parameter name: an RFC 7230 token .* e\.g\. beta$/);
        const long = "q".repeat(257);
        expectOneProblem({ cohorts: [beta({ match: { queryParams: [{ name: long, value: "1" }] } })] }, "switchyard:cohorts[0].match.queryParams[0].name", /^"q+\.\.\.$/, /^a query parameter name of at most 256 characters$/);
    });

    it("refuses a header value that is missing, a list, or over 4096 characters, and a query value that is empty, over 1024 or has a control character", () => {
        const header = (value: unknown) => ({ cohorts: [beta({ match: { headers: [{ name: "x", ...(value === undefined ? {} : { value }) }] } })] });
        const headerRule = /^a header value of 1 to 4096 printable ASCII characters, single spaces or tabs between them$/;
        expectOneProblem(header(undefined), "switchyard:cohorts[0].match.headers[0].value", "nothing (the key is missing)", headerRule);
        expectOneProblem(header(["beta"]), "switchyard:cohorts[0].match.headers[0].value", '["beta"]', headerRule);
        expectOneProblem(header("a".repeat(4097)), "switchyard:cohorts[0].match.headers[0].value", /^"a+\.\.\.$/, headerRule);
        const query = (value: string) => ({ cohorts: [beta({ match: { queryParams: [{ name: "q", value }] } })] });
        const queryRule = /^a query parameter value of 1 to 1024 characters without control characters$/;
        expectOneProblem(query(""), "switchyard:cohorts[0].match.queryParams[0].value", '""', queryRule);
        expectOneProblem(query("q".repeat(1025)), "switchyard:cohorts[0].match.queryParams[0].value", /^"q+\.\.\.$/, queryRule);
        expectOneProblem(query("beta\u0007"), "switchyard:cohorts[0].match.queryParams[0].value", '"beta\\u0007"', queryRule);
    });

    it("refuses a regular expression match without a value as a missing value, not as a pattern", () => {
        const match = { headers: [{ name: "x-cohort", type: "RegularExpression" }] };
        expectOneProblem({ cohorts: [beta({ match })] }, "switchyard:cohorts[0].match.headers[0].value", "nothing (the key is missing)", /^a header value of 1 to 4096/);
    });

    it("refuses a cookie without a name or value, with a name that is no token or over 256 characters, or too long for the Cookie header pattern", () => {
        const cookie = (c: Record<string, unknown>) => ({ cohorts: [beta({ match: { cookie: c } })] });
        expectOneProblem(cookie({ value: "1" }), "switchyard:cohorts[0].match.cookie.name", "nothing (the key is missing)", /^a cookie name: an RFC 7230 token of at most 256 characters, e\.g\. beta$/);
        expectOneProblem(cookie({ name: "be ta", value: "1" }), "switchyard:cohorts[0].match.cookie.name", '"be ta"', /^a cookie name: an RFC 7230 token/);
        expectOneProblem(cookie({ name: "beta" }), "switchyard:cohorts[0].match.cookie.value", "nothing (the key is missing)", /^a cookie value \(RFC 6265\)/);
        expectOneProblem(cookie({ name: "c".repeat(257), value: "1" }), "switchyard:cohorts[0].match.cookie.name", /^"c+\.\.\.$/, /^a cookie name of at most 256 characters$/);
        expectOneProblem(
            cookie({ name: "beta", value: "v".repeat(4068) }),
            "switchyard:cohorts[0].match.cookie.value",
            /^"v+\.\.\.$/,
            /^a cookie name and value short enough that the Cookie header pattern fits 4096 characters$/,
        );
    });

    it("refuses an empty list of services or clusters, saying to leave the key out instead", () => {
        expectOneProblem({ cohorts: [beta({ services: [] })] }, "switchyard:cohorts[0].services", "[]", /^a non-empty list of service names; leave services out for every service$/);
        expectOneProblem({ cohorts: [beta({ clusters: [] })] }, "switchyard:cohorts[0].clusters", "[]", /^a non-empty list of cluster names; leave clusters out for every cluster$/);
    });

    it("refuses a mirror that is not an object, or an object without percent", () => {
        expectOneProblem({ mirror: 10 }, "switchyard:mirror", "10", /^an object \{percent\}$/);
        expectOneProblem({ mirror: {} }, "switchyard:mirror.percent", "nothing (the key is missing)", /^an integer from 0 to 100 \(percent of the weighted traffic copied to the color that gets less of it; 0 copies none\)$/);
    });

    it("reports two cohorts with the same unreadable name once each, not also as a repeated name", () => {
        const problems = problemsOf({ cohorts: [beta({ name: "Beta" }), beta({ name: "Beta" })] });
        expect(problems.map((p) => p.split(": got")[0])).to.deep.equal(["switchyard:cohorts[0].name", "switchyard:cohorts[1].name"]);
    });

    it("checks cohorts against services and clusters only once every cohort reads, since those checks name cohorts by index", () => {
        // Were the unreadable first cohort dropped and staff checked, staff would be reported as cohorts[0].
        expectOneProblem({ cohorts: [beta({ color: "red" }), beta({ name: "staff", services: ["carts"] })] }, "switchyard:cohorts[0].color", '"red"', /blue or green/);
    });

    it("lists only the services and clusters whose names read when a cohort names one that does not exist", () => {
        const services = problemsOf({ services: [service("Cart"), service("checkout")], cohorts: [beta({ services: ["cart"] })] });
        expect(services.filter((p) => p.startsWith("switchyard:cohorts")), services.join("\n")).to.deep.equal([
            'switchyard:cohorts[0].services[0]: got "cart"; allowed: the name of a service in switchyard:services (checkout)',
        ]);
        const clusters = problemsOf({ clusters: [cluster("East"), cluster("west")], cohorts: [beta({ clusters: ["east"] })] });
        expect(clusters.filter((p) => p.startsWith("switchyard:cohorts")), clusters.join("\n")).to.deep.equal([
            'switchyard:cohorts[0].clusters[0]: got "east"; allowed: the name of a cluster in switchyard:clusters (west)',
        ]);
    });

    it("leaves a service whose name did not read out of the cohort's color check: it has no name to report", () => {
        const problems = problemsOf({ services: [service("Cart", { green: undefined }), service("checkout")], cohorts: [beta()] });
        expect(problems.filter((p) => p.startsWith("switchyard:cohorts")), problems.join("\n")).to.deep.equal([]);
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

describe("shadow traffic: which color gets the copies", () => {
    it("is the color with less weight, none at 50/50, and none without a mirror", () => {
        expect(mirrorTarget({ percent: 10 }, { blue: 100, green: 0 })).to.equal("green");
        expect(mirrorTarget({ percent: 10 }, { blue: 30, green: 70 })).to.equal("blue");
        expect(mirrorTarget({ percent: 10 }, { blue: 49, green: 51 })).to.equal("blue");
        expect(mirrorTarget({ percent: 10 }, { blue: 50, green: 50 })).to.equal(undefined);
        expect(mirrorTarget(undefined, { blue: 100, green: 0 })).to.equal(undefined);
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
