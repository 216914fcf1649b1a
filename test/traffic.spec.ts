import { expect } from "chai";
import { answerFractions, colorWeights, greenWeightFor, replicasFor, route53Weights } from "../model/traffic.ts";

describe("traffic: weight math", () => {
    it("gives blue the rest of greenWeight", () => {
        for (const green of [0, 1, 25, 50, 99, 100]) {
            const w = colorWeights(green);
            expect(w.green).to.equal(green);
            expect(w.blue + w.green).to.equal(100);
        }
    });

    it("lets a cluster's own greenWeight override the stack's, including an override of 0", () => {
        expect(greenWeightFor(30, {})).to.equal(30);
        expect(greenWeightFor(30, { greenWeight: 5 })).to.equal(5);
        expect(greenWeightFor(30, { greenWeight: 0 })).to.equal(0);
    });

    it("keeps full replicas at every weight unless idle scaling is opted into", () => {
        expect(replicasFor(4, 0, "full")).to.equal(4);
        expect(replicasFor(4, 0, 1)).to.equal(1);
        expect(replicasFor(4, 30, 1)).to.equal(4);
        expect(replicasFor(1, 0, 3), "idle never exceeds the full count").to.equal(1);
        expect(replicasFor(4, 0, 1, true), "a color a cohort sends requests to serves at full size").to.equal(4);
        expect(replicasFor(4, 0, 1, false)).to.equal(1);
    });
});

describe("traffic: Route53 weights from cluster shares", () => {
    it("uses shares as weights when they fit in 0-255, so the split is exact", () => {
        expect(route53Weights([2, 1])).to.deep.equal([2, 1]);
        expect(route53Weights([255, 0, 7])).to.deep.equal([255, 0, 7]);
        expect(route53Weights([4, 2]), "not reduced: draining one cluster must not rewrite the others").to.deep.equal([4, 2]);
        expect(route53Weights([255, 85]), "255 is still a weight: not reduced to 3:1").to.deep.equal([255, 85]);
    });

    it("divides shares above 255 by their greatest common divisor before scaling, keeping exact ratios", () => {
        expect(route53Weights([300, 600])).to.deep.equal([1, 2]);
        expect(route53Weights([1000, 0, 3000])).to.deep.equal([1, 0, 3]);
    });

    it("scales shares above 255 proportionally within half a unit, never dropping a positive share to 0", () => {
        const shares = [1000, 1, 499, 7];
        const weights = route53Weights(shares);
        expect(Math.max(...weights)).to.equal(255);
        expect(weights.every((w) => w >= 1)).to.equal(true);
        shares.forEach((share, i) => {
            const exact = (share * 255) / 1000;
            expect(Math.abs(weights[i]! - Math.max(1, exact))).to.be.at.most(0.5 + 1e-9);
        });
    });

    it("keeps a share of 0 at weight 0 (drained, record kept) and rejects all-zero shares", () => {
        expect(route53Weights([0, 5])).to.deep.equal([0, 5]);
        expect(route53Weights([0, 600, 300])).to.deep.equal([0, 2, 1]);
        expect(() => route53Weights([0, 0])).to.throw(RangeError, /above 0/);
        expect(() => route53Weights([1, -1])).to.throw(RangeError, /integers >= 0, got \[1,-1\]/);
        expect(() => route53Weights([1.5])).to.throw(RangeError, /integers >= 0, got \[1.5\]/);
    });

    it("keeps a share of 0 at weight 0 also when the others are scaled, while a tiny positive share keeps weight 1", () => {
        // gcd(0, 1000, 1) is 1, so 1000 is scaled to 255; 1 would round to 0.255 → 0 and is kept at 1; 0 stays 0.
        expect(route53Weights([0, 1000, 1])).to.deep.equal([0, 255, 1]);
        expect(route53Weights([1000, 0, 500, 3])).to.deep.equal([255, 0, 128, 1]);
    });

    it("reports the fraction of answers each weight gets", () => {
        expect(answerFractions([2, 1, 1])).to.deep.equal([0.5, 0.25, 0.25]);
    });
});
