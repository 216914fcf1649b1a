// `switchyard:greenWeight` and `switchyard:idleReplicas`: the one knob that moves traffic, and
// what a color keeps running at weight 0. Pure.

import { asInteger, type IntegerRule, type Problems } from "../validation.ts";
import { PROJECT } from "./keys.ts";

export const WEIGHT_RULE: IntegerRule = { min: 0, max: 100, meaning: "percent of traffic sent to green; blue gets the rest" };

export function readGreenWeight(raw: string | undefined, problems: Problems): number {
    const key = `${PROJECT}:greenWeight`;
    if (raw === undefined) return 0;
    const n = asInteger(raw);
    if (n === undefined || n > 100) {
        const hint = /%\s*$/.test(raw) ? " — without the % sign" : "";
        problems.add(key, raw, `an integer from 0 to 100${hint} (percent of traffic sent to green; blue gets the rest)`);
        return 0;
    }
    return n;
}

export function readIdleReplicas(raw: string | undefined, problems: Problems): number | "full" {
    if (raw === undefined || raw === "full") return "full";
    const n = asInteger(raw);
    if (n === undefined || n < 1) {
        problems.add(
            `${PROJECT}:idleReplicas`,
            raw,
            `"full" (a color at weight 0 keeps its full replicas) or an integer >= 1 (replicas kept warm for rollback)`,
        );
        return "full";
    }
    return n;
}
