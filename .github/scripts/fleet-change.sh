#!/bin/sh
# Which kind of change a push is for the prod fleet, from the changed paths on stdin (one a line):
#   flip   only cluster stack files (a step, a rollback), the release record, and in the fleet file
#          only cohorts' colors (a rollback moves a cohort there): only the cluster stacks run, the
#          traffic stack is not touched, so nothing it does can hold a rollback
#   build  anything else (the rest of the fleet file, app/, a traffic stack's file — prod-traffic or,
#          with groups, a shard prod-traffic-<group> —, the program): the traffic stacks go first,
#          then the cluster stacks read their images
# The fleet file's diff is read against $2 (default HEAD^). In a fleet file `color:` is a cohort's key
# only (services name their colors blue: and green:); a rollback's note is a comment after the value.
# docs/scaling.md has the order rules; `switchyard stacks --fleet prod` prints them.
fleet="${1:-prod}"
base="${2:-HEAD^}"
kind=flip
while IFS= read -r path; do
    [ -z "$path" ] && continue
    case "$path" in
        "Pulumi.$fleet-traffic.yaml" | "Pulumi.$fleet-traffic-"*.yaml) kind=build ;;
        "Pulumi.$fleet-"*.yaml | "fleets/$fleet.release.yaml") ;;
        "fleets/$fleet.yaml")
            # Every changed line a cohort's color (with or without a comment), or the change is a build;
            # a diff git cannot give (no $base in a shallow clone) is a build too.
            diff=$(git diff -U0 "$base" HEAD -- "$path") || diff=""
            changed=$(printf '%s\n' "$diff" | grep -E '^[-+]' | grep -vE '^(\+\+\+|---) ')
            # A color may be quoted; a rollback's note is a comment after it, or a line of its own above
            # a cohort written as a flow mapping (whose line changes with other keys on it: a build).
            if [ -z "$changed" ] || printf '%s\n' "$changed" | grep -vE '^\+ *# switchyard rolled back ' | grep -qvE "^[-+] *(- )?color: [\"']?(blue|green)[\"']?( +#.*)?$"; then kind=build; fi
            ;;
        *) kind=build ;;
    esac
done
echo "$kind"
