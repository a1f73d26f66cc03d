from . import models
from . import report


def _post_init_hook(env):
    # after the data and the demo: day one has its calls
    env["autorepair.care.task"]._install_run()
    # and every customer his loyalty type from the visits already on file: a first
    # classification, not a change of it, so no chatter message on each customer (200,000
    # customers: the messages took longer than the classification). The flush is in the same
    # context: the stored loyalty type is computed, and would be tracked, there.
    partners = env["res.partner"].with_context(tracking_disable=True)
    partners._autorepair_set_loyalty_type()
    partners.flush_model()
