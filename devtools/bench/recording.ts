// Recordings of a program run: one RegisteredResource per line, in the order the monitor answered
// them (devtools/bench/languageHost.ts writes them as they happen).

import { readFileSync } from "node:fs";
import type { RegisteredResource } from "../../harness/mockRuntime.ts";

export function readRecording(path: string): RegisteredResource[] {
    return readFileSync(path, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as RegisteredResource);
}
