#!/bin/sh
# Which kind of change a push is for the prod fleet, from the changed paths on stdin (one a line):
#   flip   only cluster stack files (a step, a rollback) and the release record changed: only the
#          cluster stacks run, the traffic stack is not touched
#   build  anything else (the fleet file, app/, the traffic stack's file, the program): the traffic
#          stack goes first, then the cluster stacks read its images
# docs/scaling.md has the order rules; `switchyard stacks --fleet prod` prints them.
fleet="${1:-prod}"
kind=flip
while IFS= read -r path; do
    [ -z "$path" ] && continue
    case "$path" in
        "Pulumi.$fleet-traffic.yaml") kind=build ;;
        "Pulumi.$fleet-"*.yaml | "fleets/$fleet.release.yaml") ;;
        *) kind=build ;;
    esac
done
echo "$kind"
