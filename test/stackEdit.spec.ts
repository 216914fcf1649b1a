import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { editFleetFile, editFleetText, editStackFile, editStackText, StackEditError } from "../cli/stackEdit.ts";

const stack = `# The prod stack. Weights move by switchyard advance.
config:
  switchyard:greenWeight: "5"   # moved by CI
  switchyard:clusters:
    - name: east   # first
      greenWeight: 10
    - name: west
      hostnames: [west.example.com]
    - {name: north, greenWeight: 25}
  switchyard:services:
    - name: cart
      resources:
        requests: { cpu: 50m, memory: 64Mi }
  switchyard:cohorts:
    - name: beta
      color: green   # beta testers see the release first
      match: { headers: [{ name: x-switchyard-cohort, value: beta }] }
    - { name: staff, color: "green", match: { cookie: { name: staff, value: "1" } } }
`;

function expectThrows(run: () => unknown, message: RegExp): void {
    try {
        run();
    } catch (error) {
        expect(error).to.be.instanceOf(StackEditError);
        expect((error as Error).name).to.equal("StackEditError");
        expect((error as Error).message).to.match(message);
        return;
    }
    throw new Error("expected a StackEditError");
}

describe("stack file edits", () => {
    it("puts a rollback's comment on the first cohort it moves when no weight changes, so --reason is never lost", () => {
        const note = "switchyard rolled back 2026-12-01T10:00:00Z: INC-7";
        const edited = editStackText(stack, "switchyard", [{ cohort: 0, color: "blue" }, { cohort: 1, color: "blue" }], note);
        expect(edited).to.equal(
            stack
                .replace("      color: green   # beta testers see the release first", `      color: blue  # ${note}`)
                .replace('{ name: staff, color: "green",', '{ name: staff, color: "blue",'),
        );
        // A cohort written as a flow map has no line end of its own: the comment goes on a line above it.
        const flowOnly = editStackText(stack, "switchyard", [{ cohort: 1, color: "blue" }], note);
        expect(flowOnly).to.equal(stack.replace('    - { name: staff, color: "green",', `    # ${note}\n    - { name: staff, color: "blue",`));
        // With the stack's weight among the edits, the comment stays on its greenWeight line alone.
        const both = editStackText(stack, "switchyard", [{ greenWeight: 0 }, { cohort: 0, color: "blue" }], note);
        expect(both.match(/# switchyard rolled back/g)).to.have.length(1);
        expect(both).to.include(`switchyard:greenWeight: "0"  # ${note}\n`);
    });

    it("points cohorts at another color in place, keeping quotes and comments", () => {
        const edited = editStackText(stack, "switchyard", [{ cohort: 0, color: "blue" }, { cohort: 1, color: "blue" }]);
        expect(edited).to.equal(
            stack
                .replace("      color: green   # beta testers see the release first", "      color: blue   # beta testers see the release first")
                .replace('{ name: staff, color: "green",', '{ name: staff, color: "blue",'),
        );
        expectThrows(() => editStackText(stack, "switchyard", [{ cohort: 5, color: "blue" }]), /switchyard:cohorts\[5\] has no color to change/);
        expectThrows(() => editStackText("config:\n  switchyard:greenWeight: 5\n", "switchyard", [{ cohort: 0, color: "blue" }]), /switchyard:cohorts\[0\] has no color to change/);
        const listColor = "config:\n  switchyard:cohorts:\n    - name: beta\n      color: [green]\n";
        expectThrows(() => editStackText(listColor, "switchyard", [{ cohort: 0, color: "blue" }]), /switchyard:cohorts\[0\]\.color is not a plain value/);
    });

    it("points a fleet file's cohorts (top-level keys, no namespace) at another color in place, with the rollback's note", () => {
        const fleet = `# The prod fleet.
rollout:
  candidate: green
cohorts:
  # Beta testers see the release first.
  - name: beta
    color: green   # until the release is done
    match: { headers: [{ name: x-switchyard-cohort, value: beta }] }
  - { name: staff, color: "green", match: { cookie: { name: staff, value: "1" } } }
`;
        const edited = editFleetText(fleet, [{ cohort: 0, color: "blue" }, { cohort: 1, color: "blue" }], "switchyard rolled back 2026-05-01T10:00:00Z: INC-9");
        expect(edited).to.equal(
            fleet
                .replace("color: green   # until the release is done", "color: blue  # switchyard rolled back 2026-05-01T10:00:00Z: INC-9")
                .replace('color: "green"', 'color: "blue"'),
        );
        expectThrows(() => editFleetText("rollout: {}\n", [{ cohort: 0, color: "blue" }]), /cohorts\[0\] has no color to change/);
    });

    it("sets a fleet file's cluster weight (a whole-fleet stack's override) to 0 in place, with the cohorts in one edit", () => {
        const fleet = ["clusters:", "  - name: east", "    namespace: shop", "  - name: west", "    greenWeight: 25 # canary", "cohorts:", "  - { name: beta, color: green }", ""].join("\n");
        const edited = editFleetText(fleet, [{ cluster: 1, greenWeight: 0 }, { cohort: 0, color: "blue" }], "rolled back");
        expect(edited).to.equal(["clusters:", "  - name: east", "    namespace: shop", "  - name: west", "    greenWeight: 0  # rolled back", "cohorts:", "  - { name: beta, color: blue }", ""].join("\n"));
        expectThrows(() => editFleetText(fleet, [{ cluster: 0, greenWeight: 0 }]), /clusters\[0\] has no greenWeight to change/);
        expectThrows(() => editFleetText(fleet, [{ cluster: 2, greenWeight: 0 }]), /clusters\[2\] has no greenWeight to change/);
        expectThrows(() => editFleetText("clusters:\n  - { name: east, greenWeight: [25] }\n", [{ cluster: 0, greenWeight: 0 }]), /^clusters\[0\]\.greenWeight is not a plain value this command can edit$/);
    });

    it("puts the note after the cohort first in the file whatever the order of the edits, on one line, and none without a note", () => {
        const fleet = ["cohorts:", "  - name: beta", "    color: green", "  - name: staff", "    color: green", ""].join("\n");
        const edited = editFleetText(fleet, [{ cohort: 1, color: "blue" }, { cohort: 0, color: "blue" }], "rolled back\r\n\nINC-9");
        expect(edited).to.equal(["cohorts:", "  - name: beta", "    color: blue  # rolled back; INC-9", "  - name: staff", "    color: blue", ""].join("\n"));
        expect(editFleetText(fleet, [{ cohort: 1, color: "blue" }])).to.equal(fleet.replace(/green\n$/, "blue\n"));
        const flow = ["cohorts:", "  - { name: beta, color: green }", ""].join("\n");
        expect(editFleetText(flow, [{ cohort: 0, color: "blue" }], "INC-9"), "inside a flow mapping: a comment line above, indented as the item").to.equal(
            ["cohorts:", "  # INC-9", "  - { name: beta, color: blue }", ""].join("\n"),
        );
    });

    it("refuses a fleet file edit that would change more than the colors, or a color that is no plain value, and names it", () => {
        const anchored = ["defaults:", "  color: &stable green", "cohorts:", "  - name: beta", "    color: *stable", ""].join("\n");
        expectThrows(() => editFleetText(anchored, [{ cohort: 0, color: "blue" }]), /^cohorts\[0\]\.color is not a plain value this command can edit$/);
        const shared = ["cohorts:", "  - name: beta", "    color: &c green", "  - name: staff", "    color: *c", ""].join("\n");
        expectThrows(() => editFleetText(shared, [{ cohort: 0, color: "blue" }]), /^editing the fleet file in place would change more than the cohorts' colors and the clusters' weights; nothing was written$/);
    });

    it("writes the edited fleet file in place, and only it", () => {
        const dir = mkdtempSync(join(tmpdir(), "switchyard-fleet-edit-"));
        try {
            const file = join(dir, "prod.yaml");
            writeFileSync(file, "cohorts:\n  - name: beta\n    color: green\n");
            editFleetFile(file, [{ cohort: 0, color: "blue" }], "INC-9");
            expect(readFileSync(file, "utf8")).to.equal("cohorts:\n  - name: beta\n    color: blue  # INC-9\n");
            expect(readdirSync(dir)).to.deep.equal(["prod.yaml"]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("changes only the value's characters, keeping its quotes, the comment and every other line", () => {
        const edited = editStackText(stack, "switchyard", [{ greenWeight: 25 }]);
        expect(edited).to.equal(stack.replace('switchyard:greenWeight: "5"', 'switchyard:greenWeight: "25"'));
    });

    it("writes a plain number where the file had one, in a block map and in a flow map", () => {
        const edited = editStackText(stack, "switchyard", [
            { cluster: 0, greenWeight: 0 },
            { cluster: 2, greenWeight: 0 },
        ]);
        expect(edited).to.equal(stack.replace("      greenWeight: 10\n", "      greenWeight: 0\n").replace("{name: north, greenWeight: 25}", "{name: north, greenWeight: 0}"));
    });

    it("leaves a rollback comment on the greenWeight line, replacing the comment there", () => {
        const edited = editStackText(stack, "switchyard", [{ greenWeight: 0 }, { cluster: 0, greenWeight: 0 }], "switchyard rolled back 2026-01-02T03:04:05Z: cart on east: success-rate 70.00 % < 99 %");
        const lines = edited.split("\n");
        expect(lines[2]).to.equal('  switchyard:greenWeight: "0"  # switchyard rolled back 2026-01-02T03:04:05Z: cart on east: success-rate 70.00 % < 99 %');
        expect(lines.filter((line, i) => line !== stack.split("\n")[i])).to.deep.equal([lines[2], "      greenWeight: 0"]);
    });

    it("keeps a comment on one line", () => {
        const edited = editStackText(stack, "switchyard", [{ greenWeight: 0 }], "switchyard rolled back: first\nsecond\r\nthird");
        expect(edited.split("\n")[2]).to.equal('  switchyard:greenWeight: "0"  # switchyard rolled back: first; second; third');
    });

    it("adds a comment to a line that had none, also as the file's last line", () => {
        expect(editStackText("config:\n  switchyard:greenWeight: 5\n  a: 1\n", "switchyard", [{ greenWeight: 0 }], "switchyard rolled back")).to.equal(
            "config:\n  switchyard:greenWeight: 0  # switchyard rolled back\n  a: 1\n",
        );
        expect(editStackText("config:\n  switchyard:greenWeight: 5", "switchyard", [{ greenWeight: 0 }], "switchyard rolled back")).to.equal(
            "config:\n  switchyard:greenWeight: 0  # switchyard rolled back",
        );
    });

    it("keeps single quotes, and leaves no comment inside a flow map, where it would end the map", () => {
        expect(editStackText("config:\n  switchyard:greenWeight: '5'\n", "switchyard", [{ greenWeight: 25 }])).to.equal("config:\n  switchyard:greenWeight: '25'\n");
        expect(editStackText("config: {switchyard:greenWeight: 5, a: 1}\n", "switchyard", [{ greenWeight: 0 }], "switchyard rolled back")).to.equal(
            "config: {switchyard:greenWeight: 0, a: 1}\n",
        );
    });

    it("removes the comment of an earlier rollback when the weight moves again, and keeps any other comment", () => {
        const rolledBack = editStackText(stack, "switchyard", [{ greenWeight: 0 }], "switchyard rolled back 2026-01-02T03:04:05Z: reasons");
        expect(editStackText(rolledBack, "switchyard", [{ greenWeight: 5 }]).split("\n")[2]).to.equal('  switchyard:greenWeight: "5"');
        expect(editStackText(stack, "switchyard", [{ greenWeight: 50 }]).split("\n")[2]).to.equal('  switchyard:greenWeight: "50"   # moved by CI');
    });

    it("adds greenWeight as the config's first key when the stack leaves it to Pulumi.yaml's default", () => {
        const silent = "config:\n  # clusters first\n  switchyard:clusters:\n    - name: east\n";
        expect(editStackText(silent, "switchyard", [{ greenWeight: 5 }])).to.equal(
            "config:\n  # clusters first\n  switchyard:greenWeight: 5\n  switchyard:clusters:\n    - name: east\n",
        );
    });

    it("finds keys written without the project namespace, and keeps Windows line ends", () => {
        expect(editStackText("config:\n  greenWeight: 5\n", "switchyard", [{ greenWeight: 25 }])).to.equal("config:\n  greenWeight: 25\n");
        expect(editStackText("config:\r\n  switchyard:greenWeight: 5 # x\r\n  a: 1\r\n", "switchyard", [{ greenWeight: 0 }], "switchyard rolled back")).to.equal(
            "config:\r\n  switchyard:greenWeight: 0  # switchyard rolled back\r\n  a: 1\r\n",
        );
    });

    it("refuses an edit that would change more than the weight, such as a value an alias shares", () => {
        expectThrows(
            () => editStackText("config:\n  switchyard:greenWeight: &w 5\n  switchyard:other: *w\n", "switchyard", [{ greenWeight: 25 }]),
            /^editing the stack file in place would change more than the weights; nothing was written$/,
        );
    });

    it("refuses what it cannot edit in place instead of guessing", () => {
        expectThrows(() => editStackText("description: no config\n", "switchyard", [{ greenWeight: 5 }]), /has no switchyard:greenWeight and its config is not a block map/);
        expectThrows(() => editStackText("config:\n  switchyard:greenWeight: 5\n", "switchyard", [{ cluster: 0, greenWeight: 0 }]), /^switchyard:clusters\[0\] has no greenWeight to change$/);
        expectThrows(() => editStackText("config:\n  ? switchyard:clusters\n  : []\n", "switchyard", [{ greenWeight: 5 }]), /^cannot add switchyard:greenWeight next to a key that does not start its line$/);
        expectThrows(() => editStackText("config:\n  switchyard:clusters: [{greenWeight: [1]}]\n", "switchyard", [{ cluster: 0, greenWeight: 0 }]), /^switchyard:clusters\[0\]\.greenWeight is not a plain value/);
        expectThrows(() => editStackText(stack, "switchyard", [{ cluster: 1, greenWeight: 0 }]), /clusters\[1\] has no greenWeight/);
        expectThrows(() => editStackText("config: {a: 1}\n", "switchyard", [{ greenWeight: 5 }]), /not a block map/);
        expectThrows(() => editStackText("config:\n  switchyard:greenWeight: [5]\n", "switchyard", [{ greenWeight: 5 }]), /^switchyard:greenWeight is not a plain value this command can edit$/);
        expectThrows(() => editStackText("config:\n  switchyard:greenWeight: >-\n    5\n", "switchyard", [{ greenWeight: 6 }]), /cannot rewrite a BLOCK_FOLDED scalar/);
        expectThrows(() => editStackText("config: [\n", "switchyard", [{ greenWeight: 5 }]), /does not parse as YAML/);
    });

    it("writes the file whole, leaving no temporary file behind", () => {
        const dir = mkdtempSync(join(tmpdir(), "switchyard-edit-"));
        try {
            const path = join(dir, "Pulumi.prod.yaml");
            writeFileSync(path, stack);
            editStackFile(path, "switchyard", [{ greenWeight: 50 }]);
            expect(readFileSync(path, "utf8")).to.equal(stack.replace('"5"', '"50"'));
            expect(readdirSync(dir)).to.deep.equal(["Pulumi.prod.yaml"]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
