"""A stub command (gunicorn, celery, python...) that records how the container started it.

It appends one JSON line to $FIXHARNESS_EVENTS: the command, its arguments (log file
option values replaced by `<log>`, as their destinations are recorded apart), the
environment the image and the harness set, its pid (to tell whether it is the
container's main process) and where its logs go. `tini` then runs its arguments.
"""

import json
import os
import sys

LOG_OPTIONS = {
    "--access-logfile": "accesslog",
    "--error-logfile": "errorlog",
    "--log-file": "errorlog",
    "--logfile": "logfile",
    "-f": "logfile",
}
DASH = {"accesslog": "stdout", "errorlog": "stderr", "logfile": "stderr"}


def main() -> None:
    name, *args = sys.argv[1:]
    shown, logs = [], {}
    index = 0
    while index < len(args):
        word = args[index]
        option, equals, value = word.partition("=")
        if option in LOG_OPTIONS and (equals or index + 1 < len(args)):
            if not equals:
                index += 1
                value = args[index]
            kind = LOG_OPTIONS[option]
            logs[f"{name}.{kind}"] = {DASH[kind] if value == "-" else f"file:{value}": 1}
            shown.append(f"{option}=<log>")
        else:
            shown.append(word)
        index += 1
    keys = os.environ.get("FIXHARNESS_KEYS", "").split()
    entry = {
        "argv": [name, *shown],
        "env": {key: os.environ[key] for key in keys if key in os.environ},
        "pid": os.getpid(),
        "logs": logs,
    }
    with open(os.environ["FIXHARNESS_EVENTS"], "a", encoding="utf-8") as events:
        events.write(json.dumps(entry) + "\n")
    if name == "tini" and args:
        rest = args[1:] if args[0] == "--" else args
        os.execvp(rest[0], rest)


if __name__ == "__main__":
    main()
