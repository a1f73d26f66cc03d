import importlib.util
from pathlib import Path

from odoo.tests import tagged

from .common import AutorepairCrmCase

MIGRATION = Path(__file__).parent.parent / "migrations" / "18.0.1.2.0" / "post-migrate.py"


def load_migration():
    spec = importlib.util.spec_from_file_location("autorepair_crm_migrate_18_0_1_2_0", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestLoyaltyMigration(AutorepairCrmCase):
    """The suite's own points ledger (before 18.0.1.2.0) becomes points cards
    with their history: the rows are written in the old table's shape, the
    migration runs, every balance is what the ledger said."""

    OLD_TABLE = """
        CREATE TABLE autorepair_loyalty_move (
            id serial PRIMARY KEY,
            partner_id integer NOT NULL REFERENCES res_partner(id) ON DELETE CASCADE,
            company_id integer NOT NULL REFERENCES res_company(id),
            date date NOT NULL,
            move_type varchar NOT NULL,
            points integer NOT NULL,
            description varchar NOT NULL,
            state varchar NOT NULL,
            user_id integer REFERENCES res_users(id),
            approved_by_id integer REFERENCES res_users(id),
            approved_date timestamp,
            invoice_id integer REFERENCES account_move(id),
            create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
        )"""

    def _invoice(self, partner, move_type="out_invoice", reversed_entry=None):
        return self.env["account.move"].create({
            "move_type": move_type, "partner_id": partner.id, "reversed_entry_id": reversed_entry and reversed_entry.id,
            "invoice_line_ids": [(0, 0, {"name": "保养", "quantity": 1, "price_unit": 500, "tax_ids": []})],
        })

    def test_ledger_to_cards(self):
        cr = self.env.cr
        zhang = self._customer("张伟", "13800138001")
        li, wang = self._customer("李娜", "13800138002"), self._customer("王强", "13800138003")
        invoice = self._invoice(zhang)
        refund = self._invoice(zhang, "out_refund", invoice)
        (invoice | refund).action_post()
        cr.execute(self.OLD_TABLE)
        company, sales, manager = self.company.id, self.user_sales.id, self.user_manager.id
        rows = [
            # partner, type, points, description, state, proposer, approver, invoice, date
            (zhang, "earn", 500, "已付 INV/1", "approved", None, None, invoice.id, "2025-03-01"),
            (zhang, "reverse", -100, "红字 RINV/1", "approved", None, None, refund.id, "2025-03-05"),
            (zhang, "redeem", -150, "保养券", "approved", sales, None, None, "2025-04-01"),
            (zhang, "adjust", 30, "老客户回馈", "approved", sales, manager, None, "2025-05-01"),
            (zhang, "adjust", 999, "待批", "draft", sales, None, None, "2025-06-01"),
            (li, "adjust", 80, "开业活动", "approved", sales, manager, None, "2025-02-01"),
            (li, "adjust", -20, "误加", "refused", sales, manager, None, "2025-02-02"),
            (wang, "earn", 200, "已付", "approved", None, None, None, "2025-01-01"),
            (wang, "redeem", -200, "洗车", "approved", sales, None, None, "2025-01-02"),
        ]
        for partner, move_type, points, description, state, proposer, approver, invoice_id, date in rows:
            cr.execute("""INSERT INTO autorepair_loyalty_move (partner_id, company_id, date, move_type, points,
                                  description, state, user_id, approved_by_id, approved_date, invoice_id)
                          VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                       [partner.id, company, date, move_type, points, description, state, proposer, approver,
                        approver and f"{date} 10:00:00", invoice_id])
        cr.execute("""SELECT partner_id, SUM(points) FROM autorepair_loyalty_move WHERE state = 'approved'
                       GROUP BY partner_id""")
        before = dict(cr.fetchall())

        migration = load_migration()
        migration.migrate(cr, "18.0.1.1.0")
        self.env.invalidate_all()

        for partner in (zhang, li, wang):
            self.assertEqual(partner.loyalty_points, before[partner.id], partner.name)
            cards = self.env["loyalty.card"].search([("partner_id", "=", partner.id)])
            self.assertEqual(len(cards), 1, "one card per customer and company")
            self.assertEqual(cards.program_id, self.company._autorepair_points_program())
        card = zhang._autorepair_points_card()
        self.assertEqual(len(card.history_ids), 4, "each approved move, not the proposal")
        earned = card.history_ids.filtered(lambda line: line.autorepair_points_invoice_id == invoice)
        self.assertEqual((earned.issued, earned.used, str(earned.create_date.date())), (500, 0, "2025-03-01"))
        taken = card.history_ids.filtered(lambda line: line.autorepair_points_invoice_id == refund)
        self.assertEqual((taken.issued, taken.used), (0, 100))
        # the adjustments keep their workflow: proposer, approver, state
        adjustments = self.env["autorepair.loyalty.adjustment"].search(
            [("partner_id", "in", (zhang | li).ids)], order="date")
        self.assertEqual([(a.partner_id, a.points, a.state, a.user_id.id, a.approved_by_id.id) for a in adjustments], [
            (li, 80, "approved", sales, manager), (li, -20, "refused", sales, manager),
            (zhang, 30, "approved", sales, manager), (zhang, 999, "draft", sales, False)])
        approved = adjustments.filtered(lambda a: a.state == "approved")
        self.assertEqual(approved.mapped("history_id.issued"), [80, 30])
        self.assertFalse(adjustments.filtered(lambda a: a.state != "approved").history_id)
        # the paid invoice keeps its unique link: paying it again earns nothing more
        invoice._autorepair_earn_points()
        self.assertEqual(zhang.loyalty_points, before[zhang.id])
        # a second run finds nothing to move; the old rows are kept aside
        migration.migrate(cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(zhang.loyalty_points, before[zhang.id])
        cr.execute("SELECT COUNT(*) FROM autorepair_loyalty_move_pre_loyalty")
        self.assertEqual(cr.fetchone()[0], len(rows))
