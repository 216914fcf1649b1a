// The RE2 check of model/gatewayRegex.ts: what RE2-based gateways (Envoy, so Envoy Gateway and
// Istio; GKE) accept and refuse. Every verdict follows RE2's syntax reference (github.com/google/re2,
// doc/syntax.txt) and its parser's documented rules, not what the check prints.

import { expect } from "chai";
import { escapeRegex, regexProblem } from "../model/gatewayRegex.ts";

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

    it("accepts every flag group of the syntax: several flags, flags cleared with -, and U, which JavaScript lacks", () => {
        // syntax.txt: (?flags) sets flags in the current group, (?flags:re) in re; flags are xyz, -xyz or xy-z over i, m, s and U.
        expectAccepted(["(?im)beta", "(?-im)beta", "(?i-s)beta", "(?U:a+)", "(?iU:a+)", "(?U-is:a+)", "(?U)a+", "(?:eu|us)-(?i)beta"]);
    });

    it("accepts counted repetitions of exactly 1000, RE2's limit, with and without an upper bound", () => {
        expectAccepted(["a{1000}", "a{1000,}", "a{0,1000}"]);
    });

    it("accepts the escapes of Perl classes before a count, and a count after a class", () => {
        expectAccepted(["^\\d{3}-\\d{4}$", "\\w{2,8}", "[a-z]{1000}"]);
    });

    it("reads ] first in a class as a member: []a] and [^]a] are classes, [])}] matches a closing bracket", () => {
        // RE2's parser: "] is okay as first char in class", also after ^.
        expectAccepted(["[]a]", "[^]a]", "[])}]", "[]]+"]);
    });

    it("reads a POSIX class as a set that ends no range: - after it is a member, as Perl syntax allows - anywhere", () => {
        expectAccepted(["[[:alnum:]-.]+", "[[:alpha:]-0-9]", "[[:digit:]-9]", "[[:^space:]-]"]);
    });

    it("takes what looks like lookaround or a flag group inside a class or after a backslash as literal characters", () => {
        expectAccepted(["[a(?=]", "[a(?!b]", "(?:[(?=]|\\(?!)", "(?:[(?P=])", "(?i)[(?=]", "[[:digit:](]", "[[:alpha:]?*]"]);
    });

    it("reads a brace that starts no count as itself, so a large number after it in a class or escaped is text", () => {
        // syntax.txt lists x{n,m}, x{n,} and x{n}; RE2 takes any other { literally.
        expectAccepted(["a{,2}\\{2000\\}", "{x}[{5000}]"]);
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

    it("refuses a count over 1000 after a class, once the class has ended", () => {
        expectRefused([
            ["[a]{1001}", /a repetition count above 1000 \(\{1001\}\)/],
            ["[[:digit:]]{1001}", /above 1000/],
            ["[a](?=b)", /lookaround/],
        ]);
    });

    it("refuses a trailing backslash, a range out of order beside a POSIX class, and a Perl comment group", () => {
        expectRefused([
            ["beta\\", /does not compile/],
            ["[z-a[:alpha:]]", /does not compile/],
            ["(?#note)(?i:beta)", /does not compile/],
        ]);
    });

    it("says why a pattern does not compile in the engine's words after the pattern, without its preamble", () => {
        const problem = regexProblem("(beta\\d");
        expect(problem).to.match(/^a pattern that does not compile \(\/\(beta\\d\/: [A-Z][^()]+\)$/);
        expect(problem).to.not.include("Invalid regular expression");
    });
});

describe("gateway regex: escaping a literal", () => {
    it("puts a backslash before each character that means something in a pattern, and before nothing else", () => {
        expect(escapeRegex("a.b*c")).to.equal("a\\.b\\*c");
        expect(escapeRegex("^$|?+()[]{}\\")).to.equal("\\^\\$\\|\\?\\+\\(\\)\\[\\]\\{\\}\\\\");
        expect(escapeRegex("beta-1_x=y")).to.equal("beta-1_x=y");
    });
});
