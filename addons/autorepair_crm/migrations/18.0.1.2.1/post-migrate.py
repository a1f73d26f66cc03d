"""The points programs created before their names were translated read in
every installed language (a Chinese desk saw 'Member Points')."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for company in env["res.company"].search([("autorepair_points_program_id", "!=", False)]):
        company._autorepair_translate_points_program()
