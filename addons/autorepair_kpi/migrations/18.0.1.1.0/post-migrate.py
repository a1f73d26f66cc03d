"""The dealer's default rules are loaded once (noupdate): a database that has
them already gets the rules that count what happened, unless the manager
changed them. The late lost-customer list is counted from its hand-in date
(the untrue figures stay a rule the manager applies by hand, loaded as a new
record), and the satisfaction rule shipped with an amount of 0 forfeits the
month's bonus."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    late = env.ref("autorepair_kpi.kpi_rule_lost_list_late", raise_if_not_found=False)
    if late and late.trigger == "manual":
        late.write({"trigger": "event", "event": "lost_list_late", "name": "Lost-customer list handed in late"})
    csi = env.ref("autorepair_kpi.kpi_rule_csi_bonus", raise_if_not_found=False)
    if csi and not csi.amount:
        csi.amount_is_bonus = True
