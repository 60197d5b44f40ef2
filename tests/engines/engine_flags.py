#!/usr/bin/env python3
"""Summarises the runtime calls the engine suites recorded: engine_flags.py ARGV_FILE prints,
per calling program, each distinct command line with its values replaced by placeholders
(PATH, ID, N), as a Markdown list. Record with
    HUSK_ENGINES_ARGV_OUT=/tmp/argv.jsonl meson test -C build engines_podman_runc ...
"""
import collections
import json
import re
import sys


def shape(argv, ids):
    words = []
    for word in argv[1:]:
        flag, eq, value = word.partition("=")
        if eq and flag.startswith("--"):
            words.append(f"{flag}={placeholder(value, ids)}")
        else:
            words.append(placeholder(word, ids))
    return " ".join(words)


def placeholder(word, ids):
    if word.startswith("/"):
        return "PATH"
    if word in ids or re.fullmatch(r"[0-9a-f]{64}", word):
        return "ID"
    if re.fullmatch(r"\d+", word):
        return "N"
    return word


def main():
    calls = []
    with open(sys.argv[1], encoding="utf-8") as f:
        calls = [json.loads(line) for line in f if line.strip()]
    # A container id is the last word of a create/run call.
    ids = {c["argv"][-1] for c in calls if "create" in c["argv"] or "run" in c["argv"]}
    by_caller = collections.defaultdict(collections.Counter)
    for call in calls:
        by_caller[call["caller"]][shape(call["argv"], ids)] += 1
    for caller in sorted(by_caller):
        print(f"- **{caller}**")
        for line, count in sorted(by_caller[caller].items()):
            print(f"  - `{line}` ({count}x)")


if __name__ == "__main__":
    main()
