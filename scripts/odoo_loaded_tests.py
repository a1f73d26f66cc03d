"""Odoo's server command, with the selected tests run against the fully loaded registry.

    odoo_loaded_tests.py server -d DB --test-tags TAGS --stop-after-init [other odoo options]

Odoo runs a module's at_install tests while that module is being loaded, so
the modules that depend on it (here the autorepair addons, extending fleet,
account, mail...) are not in the registry yet: those tests never meet the
suite's overrides. This runs no test during loading and runs every test
selected by --test-tags (of all installed modules, or of the updated ones
with -i/-u), at_install and post_install alike, in the post-install phase,
once all installed modules are loaded: Odoo's own unit tests check the
database as a dealer runs it. The rest is Odoo's server command unchanged
(HTTP server for HttpCase, results logged by odoo.tests.result, exit code 1
when a test failed).
"""

from odoo import http
from odoo.cli.command import main
from odoo.tests import loader
from odoo.tests.suite import OdooSuite

odoo_make_suite = loader.make_suite


def make_suite(module_names, position="at_install"):
    if position != "post_install":
        return OdooSuite([])
    # The map of static folders parses every manifest (ast) the first time it is
    # read: built here, before the browser tests send requests in parallel, since
    # ast.parse from several threads can fail on CPython 3.11 before 3.11.8
    # ("AST constructor recursion depth mismatch", cpython gh-106905).
    http.root.statics  # noqa: B018
    tests = {}
    for phase in ("at_install", "post_install"):
        for test in odoo_make_suite(module_names, phase):
            tests.setdefault(test.id(), test)
    return OdooSuite(sorted(tests.values(), key=lambda test: test.test_sequence))


loader.make_suite = make_suite

if __name__ == "__main__":
    main()
