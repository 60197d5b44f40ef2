"""Reads launch's phase timings from its --debug log.

launch logs one line per run today, in text:
    ... timing: parse=158us prepare=138us cgroup=522us ... total=5570us
The parser is tolerant, since the format may change: the words after "timing:" are NAME=VALUE
pairs, VALUE a number with an optional unit (ns, us, µs, ms, s; microseconds when none); words
of another shape are skipped. A JSON log line (--log-format json) is read through its message
field, and "timing:" followed by a JSON object ({"parse": 158, ...} in microseconds, or
{"parse_us": 158, ...}) is read too.
"""
import json
import re

_PAIR = re.compile(r"^([A-Za-z_][\w+./-]*)=([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s)?[,;]?$")
_TO_US = {"ns": 0.001, "us": 1.0, "µs": 1.0, "ms": 1000.0, "s": 1e6, None: 1.0}


def _message(line):
    """The text of a log line: a JSON object's message, else the line itself."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            record = json.loads(stripped)
        except ValueError:
            return line
        if isinstance(record, dict):
            for key in ("msg", "message", "text"):
                if isinstance(record.get(key), str):
                    return record[key]
    return line


def _from_json(text):
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    phases = {}
    for key, value in record.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            name, scale = key, 1.0
            for unit in ("_ns", "_us", "_ms"):
                if key.endswith(unit):
                    name, scale = key[:-len(unit)], _TO_US[unit[1:]]
            phases[name] = value * scale
    return phases


def parse_line(line):
    """{phase: microseconds} from one log line, in the order written; None when the line has
    no timing."""
    text = _message(line)
    at = text.find("timing:")
    if at < 0:
        return None
    rest = text[at + len("timing:"):].strip()
    if rest.startswith("{"):
        return _from_json(rest)
    phases = {}
    for word in rest.split():
        match = _PAIR.match(word)
        if match:
            name, number, unit = match.groups()
            phases[name] = float(number) * _TO_US[unit]
    return phases or None


def parse_log(text):
    """Every timing found in a log, one dict per run."""
    found = []
    for line in text.splitlines():
        phases = parse_line(line)
        if phases:
            found.append(phases)
    return found
