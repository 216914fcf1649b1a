// Regular expressions as the RE2-based gateways accept them (Envoy, so Envoy Gateway and Istio; GKE).
// RE2 matches in linear time and so has no lookaround and no backreferences; a route carrying one is
// rejected by the gateway after `pulumi up` succeeded. This checks a pattern before that: it must
// compile, and must not use what RE2 refuses. Pure: no Pulumi import.

/** RE2's limit on a counted repetition such as a{1,1000}. */
const MAX_REPEAT = 1000;

/** Inline flags RE2 knows: case-insensitive, multi-line, dot matches newline, ungreedy. */
const FLAG_GROUP = /^\(\?[imsU]*(-[imsU]+)?\)/;
const FLAG_SCOPE = /^\(\?[imsU]*(-[imsU]+)?:/;

interface Scan {
    /** The pattern rewritten where RE2 and JavaScript spell the same thing differently, for the compile check. */
    javascript: string;
    problem?: string;
}

/** Walks the pattern once, outside and inside character classes, noting what RE2 refuses. */
function scan(pattern: string): Scan {
    let javascript = "";
    let inClass = false;
    let i = 0;
    while (i < pattern.length) {
        const rest = pattern.slice(i);
        const char = pattern[i]!;
        if (char === "\\") {
            const next = pattern[i + 1] ?? "";
            if (/[1-9]/.test(next)) return { javascript, problem: `a backreference (\\${next}), which RE2 does not support` };
            if (next === "k" && /^[<{']/.test(pattern[i + 2] ?? "")) return { javascript, problem: "a named backreference (\\k<...>), which RE2 does not support" };
            if (next === "Z") return { javascript, problem: "\\Z, which RE2 does not support (use \\z or $)" };
            javascript += char + next;
            i += 2;
            continue;
        }
        if (inClass) {
            const posix = /^\[:\^?[a-z]+:\]/.exec(rest);
            // A class escape: a set like the POSIX class, never a range's end ([[:alnum:]-.] is alnum, - and .).
            javascript += posix ? "\\w" : char;
            i += posix ? posix[0].length : 1;
            if (!posix && char === "]") inClass = false;
            continue;
        }
        if (char === "[") {
            // A ] right after [ or [^ is a literal member of the class, not its end; JavaScript needs it escaped.
            const opening = /^\[\^?\]?/.exec(rest)![0];
            javascript += opening.replace("]", "\\]");
            i += opening.length;
            inClass = true;
            continue;
        }
        if (char === "(" && pattern[i + 1] === "?") {
            if (/^\(\?<?[=!]/.test(rest)) return { javascript, problem: "lookaround ((?=, (?!, (?<=, (?<!), which RE2 does not support" };
            if (rest.startsWith("(?>")) return { javascript, problem: "an atomic group ((?>...)), which RE2 does not support" };
            if (/^\(\?P[=>]/.test(rest)) return { javascript, problem: "a named backreference ((?P=name)), which RE2 does not support" };
            if (rest.startsWith("(?P<")) {
                javascript += "(?<";
                i += 4;
                continue;
            }
            const flags = FLAG_GROUP.exec(rest);
            if (flags) {
                i += flags[0].length;
                continue;
            }
            const scoped = FLAG_SCOPE.exec(rest);
            if (scoped) {
                javascript += "(?:";
                i += scoped[0].length;
                continue;
            }
        }
        if (char === "{") {
            const repeat = /^\{(\d+)(,(\d*))?\}/.exec(rest);
            if (repeat && (Number(repeat[1]) > MAX_REPEAT || Number(repeat[3] ?? 0) > MAX_REPEAT)) {
                return { javascript, problem: `a repetition count above ${MAX_REPEAT} (${repeat[0]}), which RE2 refuses` };
            }
        }
        javascript += char;
        i += 1;
    }
    return { javascript };
}

/**
 * Why a gateway with RE2 would refuse this pattern, or undefined when it compiles and uses nothing
 * RE2 lacks. RE2-only spellings ((?P<name>), inline flags, POSIX classes) are accepted.
 */
export function regexProblem(pattern: string): string | undefined {
    if (pattern.length === 0) return "an empty pattern";
    const { javascript, problem } = scan(pattern);
    if (problem) return problem;
    try {
        new RegExp(javascript);
    } catch (error) {
        return `a pattern that does not compile (${(error as Error).message.replace(/^Invalid regular expression: /, "")})`;
    }
    return undefined;
}

/** Escapes a literal for use inside a pattern; RE2 accepts a backslash before any punctuation. */
export function escapeRegex(literal: string): string {
    return literal.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}
