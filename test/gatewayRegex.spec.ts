// The RE2 check of components/gatewayRegex.ts: what RE2-based gateways (Envoy, so Envoy Gateway and
// Istio; GKE) accept and refuse. Every verdict follows RE2's syntax reference (github.com/google/re2,
// doc/syntax.txt) and its parser's documented rules, not what the check prints.

import { expect } from "chai";
import { escapeRegex, regexProblem } from "../components/gatewayRegex.ts";

/** Patterns RE2 accepts: regexProblem must have nothing to say about any of them. */
function expectAccepted(patterns: readonly string[]): void {
    expect(patterns).to.not.be.empty;
    for (const pattern of patterns) expect(regexProblem(pattern), pattern).to.equal(undefined);
}

/** Patterns RE2 refuses, each with the reason the check must give. */
function expectRefused(cases: readonly [string, RegExp][]): void {
    expect(cases).to.not.be.empty;
    for (const [pattern, reason] of cases) expect(regexProblem(pattern), pattern).to.match(reason);
}

describe("gateway regex: RE2's own spellings", () => {
    it("accepts inline flags, (?P<name>), POSIX classes and counts up to 1000", () => {
        expectAccepted(["(?i)beta", "(?i:beta)-[0-9]+", "(?P<tier>gold|silver)", "[[:digit:]]+", "^eu-(west|north)-\\d$", "a{2,1000}", "[\\]]", "[(?=]"]);
    });

    it("reads ] first in a class as a member: []a] and [^]a] are classes, [])}] matches a closing bracket", () => {
        // RE2's parser: "] is okay as first char in class", also after ^.
        expectAccepted(["[]a]", "[^]a]", "[])}]", "[]]+"]);
    });

    it("reads a POSIX class as a set that ends no range: - after it is a member, as Perl syntax allows - anywhere", () => {
        expectAccepted(["[[:alnum:]-.]+", "[[:alpha:]-0-9]", "[[:digit:]-9]", "[[:^space:]-]"]);
    });
});

describe("gateway regex: what RE2 refuses", () => {
    it("refuses lookaround, backreferences, atomic groups, \\Z and repetitions over 1000", () => {
        expectRefused([
            ["(?=a)b", /lookaround/],
            ["(?!a)b", /lookaround/],
            ["(?<=a)b", /lookaround/],
            ["(?<!a)b", /lookaround/],
            ["(a)\\1", /backreference/],
            ["(?<n>a)\\k<n>", /named backreference/],
            ["(?P<n>a)(?P=n)", /named backreference/],
            ["(?>a)", /atomic/],
            ["a\\Z", /\\Z/],
            ["a{1001}", /above 1000/],
            ["a{2,5000}", /above 1000/],
            ["a**", /does not compile/],
            ["(", /does not compile/],
            ["", /empty/],
        ]);
    });
});
