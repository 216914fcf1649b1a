// The switchyard policy pack: only builds the PolicyPack, which starts the Analyzer gRPC server the
// Pulumi CLI talks to. The rules live in policies.ts, where tests load them without a server.
// Levels come from policy/config/<stack>.json; "mandatory" here only decides a run without one.

import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies.ts";

new PolicyPack("switchyard", {
    description: "Guardrails on every blue/green traffic change of a switchyard stack.",
    enforcementLevel: "mandatory",
    policies,
});
