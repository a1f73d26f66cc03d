from . import models
from . import report


def _post_init_hook(env):
    # after the data and the demo: day one has its calls
    env["autorepair.care.task"]._install_run()
    # and every customer his loyalty type from the visits already on file
    env["res.partner"]._autorepair_set_loyalty_type()
