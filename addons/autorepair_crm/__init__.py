from . import models
from . import tools
from . import report
from . import wizard


def pre_init_hook(env):
    """Ensure pg_trgm before the tables are created, so that the plate, VIN and
    phone fields get their trigram indexes during this very installation."""
    env.cr.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # the registry read the flag when it was loaded, before the extension existed
    env.registry.has_trigram = True


def post_init_hook(env):
    """Every company gets its member points program (Odoo loyalty) at once."""
    for company in env["res.company"].search([]):
        company._autorepair_points_program()
