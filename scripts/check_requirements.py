"""Exit 0 when every requirement of the given pip requirement files is installed.

Lets the scripts skip `pip install` (and the network) when nothing is missing.
Prints the unmet requirements otherwise. Understands `-r other.txt`, version
specifiers and environment markers; other pip options are ignored.
"""

import sys
from importlib import metadata
from pathlib import Path

try:
    from packaging.requirements import InvalidRequirement, Requirement
except ImportError:  # a bare virtualenv: use the copy vendored in pip
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement


def iter_requirements(path):
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            yield from iter_requirements(Path(path).parent / line.split(None, 1)[1])
        elif not line.startswith("-"):
            yield line


def unmet(line):
    try:
        req = Requirement(line)
    except InvalidRequirement:
        return f"{line} (unreadable, assumed missing)"
    if req.marker and not req.marker.evaluate():
        return None
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        return f"{line} (not installed)"
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        return f"{line} (found {version})"
    return None


def main(paths):
    missing = [msg for path in paths for line in iter_requirements(path) if (msg := unmet(line))]
    for msg in missing:
        print(f"unmet requirement: {msg}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
