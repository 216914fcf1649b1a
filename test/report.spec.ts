import { expect } from "chai";
import { decideAdvance } from "../model/advance.ts";
import { judgeWindow, type Sample } from "../model/analysis.ts";
import type { RolloutSpec } from "../model/config/types.ts";
import { advanceReport, advanceSummary, formatTable } from "../cli/switchyard/report.ts";
import { SUCCESS_RATE, analysisSpec } from "./analysisFixture.ts";

const rollout: RolloutSpec = { candidate: "green", steps: [5, 25, 50, 75, 100], maxStep: 25 };
const analysis = analysisSpec({ prometheus: { url: "http://p", hasToken: false }, windowSeconds: 120, checks: [SUCCESS_RATE] });

const sample = (time: number, rate: number): Sample => ({
    time,
    candidate: { requests: 50, values: { "success-rate": rate } },
    stable: { requests: 950, values: { "success-rate": 99.9 } },
});

describe("report: tables", () => {
    it("pads plain columns to their widest cell, without trailing spaces", () => {
        expect(formatTable(["a", "bb"], [["ccc", "d"], ["e", "ffff"]], "text")).to.equal("a    bb\nccc  d\ne    ffff");
    });

    it("writes markdown with a header rule and escapes pipes in cells", () => {
        expect(formatTable(["a", "b"], [["x|y", "z"]], "markdown")).to.equal("| a | b |\n|---|---|\n| x\\|y | z |");
    });
});

describe("report: advance", () => {
    const at = new Date("2026-05-01T10:00:00.123Z");

    it("reports a rollback as markdown: headline, verdict, reasons, both tables, and how to start again", () => {
        const judgements = [judgeWindow({ service: "cart", cluster: "east", namespace: "shop", candidate: "green", stable: "blue", candidateWeight: 5 }, [sample(60, 80), sample(120, 80)], analysis)];
        const decision = decideAdvance({ greenWeight: 5, clusters: [{}], cohorts: [] } as never, rollout, judgements, { start: false });
        const report = advanceReport("prod", decision, judgements, rollout, analysis, at, "markdown");
        const lines = report.split("\n");
        expect(lines[0]).to.equal("### switchyard advance: stack prod: rolled back green 5 % → 0 %");
        expect(lines[2]).to.equal(
            "Verdict: **FAIL** at 2026-05-01T10:00:00Z. Steps: 5 → 25 → 50 → 75 → 100. window 2m, a sample every 1m, minRequests 20, failureLimit 2, alpha 0.01, metrics app.",
        );
        expect(lines[4]).to.equal("- cart on east: 2 failing samples while live, failureLimit is 2");
        expect(report.split("2 failing samples while live").length - 1, "each reason once").to.equal(1);
        expect(report).to.include("| service | cluster | green weight | observed share | live | failing samples | verdict |");
        expect(report).to.include("| cart | east | 5 % | 5.0 % | 2m of 2m | 2 (limit 2) | FAIL |");
        expect(report).to.include("| cart | east | success-rate | 80.00 % | 99.90 % | ≥ 99 % | FAIL |");
        expect(report.trimEnd().split("\n").at(-1)).to.equal(
            "The stack file now gives green 0 % everywhere; `pulumi up` applies it. Fix the release, then start again with `switchyard advance --start`.",
        );
        expect(advanceSummary("prod", decision, rollout)).to.equal("switchyard prod: rolled back green 5 % → 0 % — cart on east: 2 failing samples while live, failureLimit is 2");
    });

    it("marks the step reached, and says when nothing was judged", () => {
        const decision = decideAdvance({ greenWeight: 0, clusters: [{}], cohorts: [] } as never, rollout, [], { start: true });
        const report = advanceReport("prod", decision, [], rollout, analysis, at, "text");
        expect(report.split("\n")[0]).to.equal("switchyard advance: stack prod: advanced green 0 % → 5 %");
        expect(report).to.include("Verdict: nothing to judge at 2026-05-01T10:00:00Z. Steps: [5] → 25 → 50 → 75 → 100.");
        expect(advanceSummary("prod", decideAdvance({ greenWeight: 100, clusters: [{}], cohorts: [] } as never, rollout, [], { start: false }), rollout)).to.equal(
            "switchyard prod: complete: green serves 100 % — nothing left to step",
        );
    });
});
