// The image tag's content hash and the ignore rules it reads, against a context in a temporary
// directory. The ignore rules follow Docker's own (moby/patternmatcher, which pulumi-docker uses):
// `*` and `?` stay within a path segment, `**` crosses them, `[...]` is a class, a rule also
// matches through a parent directory, and the last matching rule wins.

import { expect } from "chai";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildContextHash, ignoreFileOf, isIgnored, readIgnoreRules } from "../model/buildContext.ts";

describe("build context hash (the image tag)", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "switchyard-context-"));
        mkdirSync(join(dir, "app", "docs"), { recursive: true });
        writeFileSync(join(dir, "app", "Dockerfile"), "FROM scratch\n");
        writeFileSync(join(dir, "app", "server.mjs"), "console.log(1)\n");
        writeFileSync(join(dir, "app", "docs", "notes.md"), "notes\n");
        writeFileSync(join(dir, "app", ".dockerignore"), "docs\n*.md\n");
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const build = { context: "app", dockerfile: "Dockerfile", args: {}, platform: "linux/amd64" };

    it("changes when a file in the context, a build arg or the platform changes", () => {
        const original = buildContextHash(dir, build);
        expect(buildContextHash(dir, build), "stable for the same inputs").to.equal(original);
        writeFileSync(join(dir, "app", "server.mjs"), "console.log(2)\n");
        const edited = buildContextHash(dir, build);
        expect(edited).not.to.equal(original);
        expect(buildContextHash(dir, { ...build, args: { APP_VERSION: "2" } })).not.to.equal(edited);
        expect(buildContextHash(dir, { ...build, platform: "linux/arm64" })).not.to.equal(edited);
    });

    it("ignores what .dockerignore keeps out of the context, wildcards included", () => {
        const original = buildContextHash(dir, build);
        writeFileSync(join(dir, "app", "docs", "notes.md"), "other notes\n");
        writeFileSync(join(dir, "app", "README.md"), "readme\n");
        expect(buildContextHash(dir, build)).to.equal(original);
    });

    it("hashes what a ! exception puts back, and the Dockerfile even when it is ignored", () => {
        writeFileSync(join(dir, "app", ".dockerignore"), "docs\n*.md\n!docs/keep.md\nDockerfile\n");
        writeFileSync(join(dir, "app", "docs", "keep.md"), "kept\n");
        const original = buildContextHash(dir, build);
        writeFileSync(join(dir, "app", "docs", "keep.md"), "changed\n");
        const kept = buildContextHash(dir, build);
        expect(kept).not.to.equal(original);
        writeFileSync(join(dir, "app", "Dockerfile"), "FROM busybox\n");
        expect(buildContextHash(dir, build)).not.to.equal(kept);
    });
});

describe("build context hash follows what pulumi-docker hashes", () => {
    let dir: string;
    const build = { context: "app", dockerfile: "Dockerfile", args: {}, platform: "linux/amd64" };
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "switchyard-context-"));
        mkdirSync(join(dir, "app"), { recursive: true });
        writeFileSync(join(dir, "app", "Dockerfile"), "FROM scratch\n");
        writeFileSync(join(dir, "app", "run.sh"), "echo hi\n");
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("changes when a file's permission bits change (chmod +x changes the image)", () => {
        chmodSync(join(dir, "app", "run.sh"), 0o644);
        const before = buildContextHash(dir, build);
        chmodSync(join(dir, "app", "run.sh"), 0o755);
        expect(buildContextHash(dir, build)).not.to.equal(before);
    });

    it("hashes a symlink by where it points, not by what it points at", () => {
        writeFileSync(join(dir, "app", "a.txt"), "a\n");
        writeFileSync(join(dir, "app", "b.txt"), "b\n");
        symlinkSync("a.txt", join(dir, "app", "current"));
        const before = buildContextHash(dir, build);
        writeFileSync(join(dir, "app", "a.txt"), "changed\n");
        const targetEdited = buildContextHash(dir, build);
        expect(targetEdited, "the target's own bytes count once, as a file").not.to.equal(before);
        rmSync(join(dir, "app", "current"));
        symlinkSync("b.txt", join(dir, "app", "current"));
        expect(buildContextHash(dir, build), "repointing the link counts").not.to.equal(targetEdited);
    });

    it("reads <Dockerfile>.dockerignore instead of the context's .dockerignore when there is one", () => {
        writeFileSync(join(dir, "app", ".dockerignore"), "notes.txt\n");
        writeFileSync(join(dir, "app", "notes.txt"), "one\n");
        const withContextIgnore = buildContextHash(dir, build);
        writeFileSync(join(dir, "app", "notes.txt"), "two\n");
        expect(buildContextHash(dir, build), "ignored by .dockerignore").to.equal(withContextIgnore);
        writeFileSync(join(dir, "app", "Dockerfile.dockerignore"), "run.sh\n");
        const withSpecific = buildContextHash(dir, build);
        writeFileSync(join(dir, "app", "notes.txt"), "three\n");
        const notesEdited = buildContextHash(dir, build);
        expect(notesEdited, "notes.txt is in the context again").not.to.equal(withSpecific);
        writeFileSync(join(dir, "app", "run.sh"), "echo changed\n");
        expect(buildContextHash(dir, build), "run.sh is left out by Dockerfile.dockerignore").to.equal(notesEdited);
    });
});

describe("build context: the ignore rules", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "switchyard-ignore-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** The paths of `paths` that an ignore file with `text` leaves out. */
    function ignored(text: string, paths: string[]): string[] {
        writeFileSync(join(dir, ".dockerignore"), text);
        const rules = readIgnoreRules(join(dir, ".dockerignore"));
        return paths.filter((path) => isIgnored(path, rules));
    }

    it("keeps * and ? within one segment", () => {
        expect(ignored("*.log\n", ["a.log", "logs/a.log", "a.log.txt"])).to.deep.equal(["a.log"]);
        expect(ignored("file?.txt\n", ["file1.txt", "file10.txt", "file/.txt", "file.txt"])).to.deep.equal(["file1.txt"]);
        expect(ignored("log*\n", ["log", "logs", "blog", "lox", "logs/a"]), "a star after other characters").to.deep.equal(["log", "logs", "logs/a"]);
    });

    it("lets ** cross segments, with or without the slash after it, and at the end", () => {
        expect(ignored("**/*.md\n", ["a.md", "docs/a.md", "docs/x/y/a.md", "a.mdx"])).to.deep.equal(["a.md", "docs/a.md", "docs/x/y/a.md"]);
        expect(ignored("a/**/b\n", ["a/b", "a/x/b", "a/x/y/b", "a/x/c", "a/xb"])).to.deep.equal(["a/b", "a/x/b", "a/x/y/b"]);
        expect(ignored("doc**\n", ["doc", "docs", "docs/x/y", "adoc"])).to.deep.equal(["doc", "docs", "docs/x/y"]);
    });

    it("reads [...] as a class of characters", () => {
        expect(ignored("file[0-9].txt\n", ["file3.txt", "filex.txt", "file33.txt"])).to.deep.equal(["file3.txt"]);
        expect(ignored("file[a!].txt\n", ["filea.txt", "file!.txt", "fileb.txt"]), "a ! inside the class is a member").to.deep.equal(["filea.txt", "file!.txt"]);
        expect(ignored("[ab]x[cd]\n", ["axc", "bxd", "cxa"]), "two classes in one pattern").to.deep.equal(["axc", "bxd"]);
        expect(ignored("x][ab]\n", ["x]a", "x]c"]), "a ] before the class is a character").to.deep.equal(["x]a"]);
    });

    it("takes characters a regular expression would read as operators literally", () => {
        const names = ["a.b", "axb", "a+b", "aab", "(x)", "x", "{y}", "y", "$z", "z", "a|b"];
        expect(ignored("a.b\na+b\n(x)\n{y}\n$z\na|b\n", names)).to.deep.equal(["a.b", "a+b", "(x)", "{y}", "$z", "a|b"]);
    });

    it("matches a file through any directory above it, and puts back what a later ! rule names", () => {
        expect(ignored("build\n", ["build", "build/x/y.js", "rebuild/x.js"])).to.deep.equal(["build", "build/x/y.js"]);
        expect(ignored("docs\n!docs/keep.md\n", ["docs/a.md", "docs/keep.md"])).to.deep.equal(["docs/a.md"]);
        expect(ignored("!docs/keep.md\ndocs\n", ["docs/a.md", "docs/keep.md"]), "the last matching rule wins").to.deep.equal(["docs/a.md", "docs/keep.md"]);
    });

    it("skips blank lines and comments, and trims each line and what follows a !", () => {
        expect(ignored("# secret\n\n   \n#x\n", ["# secret", "#x", "secret", "x"]), "comments ignore nothing").to.deep.equal([]);
        expect(ignored("notes#\n", ["notes#"]), "a # further on is part of the pattern").to.deep.equal(["notes#"]);
        expect(ignored("   *.tmp   \n", ["a.tmp"])).to.deep.equal(["a.tmp"]);
        expect(ignored("*.tmp\n!   keep.tmp\n", ["a.tmp", "keep.tmp"])).to.deep.equal(["a.tmp"]);
    });

    it("cleans a pattern as a path: a leading or trailing slash, and . and .. segments", () => {
        expect(ignored("/build/\n", ["build/x", "src/build/x"])).to.deep.equal(["build/x"]);
        expect(ignored("./a/../b/c\n", ["b/c", "a/b/c"])).to.deep.equal(["b/c"]);
    });

    it("has no rules without an ignore file, and reads the Dockerfile's own one when it exists", () => {
        expect(readIgnoreRules(join(dir, "missing"))).to.deep.equal([]);
        expect(ignoreFileOf(dir, "Dockerfile")).to.equal(join(dir, ".dockerignore"));
        writeFileSync(join(dir, "Dockerfile.dockerignore"), "x\n");
        expect(ignoreFileOf(dir, "Dockerfile")).to.equal(join(dir, "Dockerfile.dockerignore"));
    });
});

describe("build context hash: an encoding with no two readings", () => {
    let dir: string;
    const build = { context: "app", dockerfile: "Dockerfile", args: {}, platform: "linux/amd64" };
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "switchyard-context-"));
        mkdirSync(join(dir, "app"));
        writeFileSync(join(dir, "app", "Dockerfile"), "FROM scratch\n");
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("tells one file holding another's header from two files", () => {
        writeFileSync(join(dir, "app", "a"), "X");
        writeFileSync(join(dir, "app", "b"), "Y");
        chmodSync(join(dir, "app", "b"), 0o644);
        const two = buildContextHash(dir, build);
        rmSync(join(dir, "app", "b"));
        writeFileSync(join(dir, "app", "a"), "Xb\u0000644\u0000Y");
        expect(buildContextHash(dir, build)).not.to.equal(two);
    });

    it("does not depend on the order files were written or build args given", () => {
        for (const name of ["b", "a", "c"]) writeFileSync(join(dir, "app", name), name);
        const other = mkdtempSync(join(tmpdir(), "switchyard-context-"));
        try {
            mkdirSync(join(other, "app"));
            writeFileSync(join(other, "app", "Dockerfile"), "FROM scratch\n");
            for (const name of ["c", "a", "b"]) writeFileSync(join(other, "app", name), name);
            expect(buildContextHash(other, build)).to.equal(buildContextHash(dir, build));
        } finally {
            rmSync(other, { recursive: true, force: true });
        }
        expect(buildContextHash(dir, { ...build, args: { B: "1", A: "2" } })).to.equal(buildContextHash(dir, { ...build, args: { A: "2", B: "1" } }));
        expect(buildContextHash(dir, { ...build, args: { A: "1" } }), "an arg's value counts, not only its name").not.to.equal(buildContextHash(dir, { ...build, args: { A: "2" } }));
    });
});
