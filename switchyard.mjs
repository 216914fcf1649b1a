// The program's entry for Pulumi (Pulumi.yaml `main`): checks the Node.js version in plain
// JavaScript first, so an old Node says what it needs instead of failing on the first .ts file.
import { requireNode } from "./bin/nodeVersion.mjs";

requireNode();
const { default: switchyard } = await import("./index.ts");
export default switchyard;
