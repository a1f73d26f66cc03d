"""The very satisfied rate counted a flag of the workshop's follow-up calls,
for advisors and sales alike, and its rule had an amount of 0: a database
that has them (loaded once, noupdate) now counts the sales consultants'
new-car deliveries (RULEBOOK §6.7), unless the manager changed them."""

from odoo import SUPERUSER_ID, Command, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    sales = env.ref("autorepair_crm.group_sales")
    definition = env.ref("autorepair_kpi.kpi_very_satisfied", raise_if_not_found=False)
    if definition and definition.drill_model == "autorepair.followup":
        definition.write({
            "drill_model": "autorepair.sales.delivery",
            "group_ids": [Command.set(sales.ids)],
            "description": "New cars handed over in the month whose customer answered very satisfied (to the care "
                           "department's 72-hour check, else to the consultant's call) / the month's deliveries, per "
                           "sales consultant.",
        })
    rule = env.ref("autorepair_kpi.kpi_rule_very_satisfied_rate", raise_if_not_found=False)
    if rule and not rule.amount:
        rule.write({
            "amount": 200,
            "group_ids": [Command.set(sales.ids)],
            "note": "Counted on the month's new-car deliveries of each sales consultant; the rulebook leaves the "
                    "amount to the dealer.",
        })
