"""The suite's own points ledger (autorepair.loyalty.move) moves onto Odoo's
loyalty: every company gets its member points program, every customer with
moves a points card whose balance is the ledger's (approved moves), each
approved move a line of the card's history (the paid invoice or credit note
kept as its unique link), and each staff adjustment, whatever its state, an
autorepair.loyalty.adjustment with its proposer and approver. The old table is
kept, renamed, for the record; a second run finds nothing to move."""

from odoo import SUPERUSER_ID, api

OLD_TABLE = "autorepair_loyalty_move"
KEPT_TABLE = "autorepair_loyalty_move_pre_loyalty"


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for company in env["res.company"].search([]):
        company._autorepair_points_program()
    cr.execute("SELECT to_regclass(%s)", [OLD_TABLE])
    if not cr.fetchone()[0]:
        return
    cr.execute(f"""
        SELECT id, partner_id, company_id, date, move_type, points, description, state, user_id,
               approved_by_id, approved_date, invoice_id
          FROM {OLD_TABLE} ORDER BY date, id""")  # noqa: S608 - a constant name
    Adjustment = env["autorepair.loyalty.adjustment"]
    Partner = env["res.partner"].with_context(active_test=False)
    for row in cr.dictfetchall():
        partner = Partner.browse(row["partner_id"])
        company = env["res.company"].browse(row["company_id"])
        adjustment = Adjustment
        if row["move_type"] == "adjust":
            adjustment = Adjustment.create({
                "partner_id": partner.id, "company_id": company.id, "date": row["date"], "points": row["points"],
                "description": row["description"], "state": row["state"], "user_id": row["user_id"],
                "approved_by_id": row["approved_by_id"], "approved_date": row["approved_date"],
            })
        if row["state"] != "approved":
            continue
        invoice = env["account.move"].browse(row["invoice_id"]) if row["invoice_id"] else None
        card = partner._autorepair_points_card(company)
        description = row["description"]
        if adjustment:
            description = env._("Adjustment: %(reason)s", reason=description)
        history = card._autorepair_points_move(row["points"], description, invoice=invoice, record=adjustment or None)
        # the history line dates from the move
        cr.execute("UPDATE loyalty_history SET create_date = %s WHERE id = %s", [row["date"], history.id])
        if adjustment:
            adjustment.write({"card_id": card.id, "history_id": history.id})
    cr.execute(f"ALTER TABLE {OLD_TABLE} RENAME TO {KEPT_TABLE}")
    env.invalidate_all()
