// GitLab's CI schema (app/assets/javascripts/editor/schema/ci.json of gitlab-org/gitlab, MIT), as
// gitlab-ci-local ships it: bundled into its dist/index.js as an object literal. Read from there,
// so the schema is the one of the pinned package version and nothing is copied into this repo.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import vm from "node:vm";

const ANCHOR = '$id:"https://gitlab.com/.gitlab-ci.yml"';

export function gitlabCiSchema(): Record<string, unknown> {
    const bundle = readFileSync(createRequire(import.meta.url).resolve("gitlab-ci-local/dist/index.js"), "utf8");
    const anchor = bundle.indexOf(ANCHOR);
    if (anchor < 0) throw new Error(`gitlab-ci-local's bundle holds no GitLab CI schema (no ${ANCHOR}); its layout changed`);
    const start = bundle.lastIndexOf("{", anchor);
    // The literal's end: brackets balanced outside strings (JSON data holds no regular expressions).
    let depth = 0;
    let quote: string | undefined;
    let end = start;
    for (; end < bundle.length; end++) {
        const c = bundle[end]!;
        if (quote) {
            if (c === "\\") end++;
            else if (c === quote) quote = undefined;
        } else if (c === '"' || c === "'" || c === "`") quote = c;
        else if (c === "{" || c === "[") depth++;
        else if (c === "}" || c === "]") {
            depth--;
            if (depth === 0) break;
        }
    }
    // A data literal, evaluated in an empty context: it can reach nothing of this process.
    return vm.runInNewContext(`(${bundle.slice(start, end + 1)})`, {}, { timeout: 1000 }) as Record<string, unknown>;
}
