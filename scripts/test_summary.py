"""Read an Odoo test log (`--log-level=info`) and give the project's verdict.

    test_summary.py filter < LOG
        copy to stdout the lines worth watching live: warnings, errors,
        failures with their tracebacks, skips and progress
    test_summary.py summary [--run LABEL LOG EXIT_CODE]... [--failed-step TEXT]...
        print the breakdown of each Odoo run, then "LABEL: N passed, N failed"
        per run and "N passed, N failed" over everything as the very last
        line; exit 1 when anything failed

Failures: failed and erroring tests; skipped tests (Odoo skips browser tours
quietly when Chromium or websocket-client is missing); ERROR/CRITICAL log lines
that no failing test accounts for (an addon that fails to load); a missing
closing line from odoo.tests.result (the run crashed); no test run at all;
a non-zero exit code that nothing else explains; and each --failed-step
(lint, missing addon).
"""

import argparse
import re
import sys

RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) \S+ (?P<logger>[\w.]+): (?P<msg>.*)$")
# odoo.tests.result, logged once by odoo.service.server at the end of the run
RESULT = re.compile(r"^(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests when loading database")
TEST_START = re.compile(r"^Starting \S+ \.\.\.\s*$")
TEST_FAILURE = re.compile(r"^(FAIL|ERROR): ")
SKIP = re.compile(r"^skipped (?P<test>.+?) : (?P<reason>.*?)\s*$")
# ERROR lines that only restate test failures already counted
FAILURE_RECAP = re.compile(
    r"^(Module \S+: \d+ failures, \d+ errors of \d+ tests|At least one test failed when loading the modules\.)"
)
ERROR_LEVELS = {"ERROR", "CRITICAL"}
# shown with their continuation lines (tracebacks); "" is output that is no log record
SHOWN_IN_FULL = ERROR_LEVELS | {"WARNING", ""}


def records(lines):
    """Yield (level, logger, message, text) per log record, text with its continuation lines."""
    current = None
    for line in lines:
        match = RECORD.match(line.rstrip("\n"))
        if match:
            if current:
                yield current
            current = [match["level"], match["logger"], match["msg"].rstrip(), line]
        elif current:
            current[3] += line
        else:  # output before the first record (a warning, a crash): level ""
            yield ["", "", line.rstrip(), line]
    if current:
        yield current


def is_test_logger(logger):
    return logger.startswith("odoo.addons.") and ".tests" in logger


def is_boundary(logger, msg):
    """A record after which earlier stray errors can no longer belong to a test."""
    return (
        (is_test_logger(logger) and TEST_START.match(msg))
        or (logger == "odoo.modules.loading" and msg.startswith("Module ") and " loaded in " in msg)
        or (logger == "odoo.service.server" and ("post tests" in msg or " post-tests in " in msg))
        or (logger == "odoo.tests.result" and RESULT.match(msg))
    )


def is_progress(level, logger, msg):
    return (
        level in SHOWN_IN_FULL
        or is_boundary(logger, msg)
        or (is_test_logger(logger) and SKIP.match(msg))
        or (logger == "odoo.modules.loading" and msg.startswith("loading ") and "modules" in msg)
        or logger == "odoo.tests.stats"
    )


def filter_log(stream, out):
    for level, logger, msg, text in records(stream):
        if is_progress(level, logger, msg):
            out.write(text if level in SHOWN_IN_FULL else text.splitlines(True)[0])
            out.flush()


def analyse(lines):
    result = None
    failures, skips, stray = [], [], []
    pending, span_failed = [], False
    for level, logger, msg, _text in records(lines):
        if logger == "odoo.tests.result" and RESULT.match(msg):
            result = RESULT.match(msg)
        if is_boundary(logger, msg):
            stray += pending
            pending, span_failed = [], False
            continue
        if is_test_logger(logger) and level == "INFO" and SKIP.match(msg):
            skips.append(msg)
        elif level in ERROR_LEVELS:
            if TEST_FAILURE.match(msg):
                failures.append(msg)
                # errors logged by the failing test (browser console, setUpClass) are part of it
                pending, span_failed = [], True
            elif logger == "odoo.tests.result" or FAILURE_RECAP.match(msg):
                continue
            elif not span_failed:
                pending.append(f"{level} {logger}: {msg}")
    stray += pending
    return result, failures, skips, stray


def run_verdict(label, log_path, odoo_exit):
    """(passed, failed, report lines) of one Odoo run."""
    with open(log_path, encoding="utf-8", errors="replace") as log:
        result, failures, skips, stray = analyse(log)
    others = [f"error in log: {line}" for line in stray]
    if result is None:
        others.append("no test result line from Odoo: the install or the test run crashed (see the log)")
        run, failed_tests = 0, len(failures)
    else:
        run = int(result["run"])
        # failures and errors as Odoo counts them (subtests and setUpClass included)
        failed_tests = int(result["failed"]) + int(result["errors"])
        if not run:
            others.append("no test ran")
    # a non-zero exit that nothing above explains still fails the run
    if odoo_exit and not (failed_tests or skips or others):
        others.append(f"odoo exited with code {odoo_exit}")

    lines = [f"{label}: {run} tests run, {failed_tests} failed or in error, {len(skips)} skipped"]
    lines += [f"  - test {line}" for line in failures + skips]
    lines += [f"  - {line}" for line in others]
    n_failed = failed_tests + len(skips) + len(others)
    n_passed = max(0, run - failed_tests - len(skips))
    return n_passed, n_failed, lines


def summary(args):
    counts = []
    for label, log_path, odoo_exit in args.run:
        n_passed, n_failed, lines = run_verdict(label, log_path, int(odoo_exit))
        print("\n".join(lines))
        counts.append((label, n_passed, n_failed))
    for step in args.failed_step:
        print(f"  - failed step: {step}")
    for label, n_passed, n_failed in counts:
        print(f"{label}: {n_passed} passed, {n_failed} failed")
    n_passed = sum(passed for _label, passed, _failed in counts)
    n_failed = sum(failed for _label, _passed, failed in counts) + len(args.failed_step)
    print(f"{n_passed} passed, {n_failed} failed")
    return 1 if n_failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("filter")
    parser_summary = sub.add_parser("summary")
    parser_summary.add_argument("--run", nargs=3, action="append", default=[], metavar=("LABEL", "LOG", "EXIT_CODE"))
    parser_summary.add_argument("--failed-step", action="append", default=[])
    args = parser.parse_args()
    if args.command == "filter":
        sys.stdin.reconfigure(errors="replace")
        filter_log(sys.stdin, sys.stdout)
        return 0
    return summary(args)


if __name__ == "__main__":
    sys.exit(main())
