// The benchmark's floor: a Pulumi program that registers exactly the custom resources a recorded
// run of switchyard registered — same types, names, inputs, providers and dependencies — with the
// same provider SDK classes but directly: no components, no config parsing, no logic. Its cost is
// what Pulumi and the provider SDKs cost for that fleet; switchyard's overhead is measured against it.
// Program argument: a recording of the program's run (devtools/bench/recording.ts).

// Same stack-trace handling as index.ts, so the floor runs under the program's own conditions.
import "../../program/stackTraces.ts";
import { readRecording } from "./recording.ts";
import { replayCustomResources } from "./replay.ts";

export default function floor(): void {
    replayCustomResources(readRecording(process.argv[2]!));
}
