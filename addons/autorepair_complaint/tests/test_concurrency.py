from datetime import timedelta
from functools import partial

from odoo import fields
from odoo.service.model import retrying
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.autorepair_crm.tests.common import CommittedCase

# one note in the complaint's chatter to the manager, and Odoo's "assigned to you" of his task
NOTICES = ["notification", "user_notification"]


@tagged("post_install", "-at_install")
class TestEscalatedByTwoCronsAtOnce(CommittedCase):
    """The escalation cron run by two cron processes at once (a dealer's
    second server, or Run Manually while the scheduler runs it): the
    complaint is escalated once, the service manager gets one task and one
    notice."""

    def setUp(self):
        super().setUp()
        with self.committed() as env:
            customer = env["res.partner"].create({"name": "张伟", "mobile": "13800138222",
                                                  "is_autorepair_customer": True})
            # reported five days ago and never answered: past its first-response deadline
            self.complaint_id = env["autorepair.complaint"].create({
                "subject": "空调异响", "partner_id": customer.id, "channel": "phone",
                "reported_date": fields.Datetime.now() - timedelta(days=5),
            }).id
        # the other complaints of the database (demo data) are held by a bystander's
        # transaction, so that the crons of this test leave them as they are
        self.bystander = self.transaction()
        self.bystander.cr.execute("SELECT id FROM autorepair_complaint WHERE id != %s FOR UPDATE",
                                  [self.complaint_id])
        self.addCleanup(self.bystander.cr.rollback)

    def _escalate(self, env):
        return env["autorepair.complaint"]._cron_escalate()

    def _escalations(self):
        with self.committed() as env:
            complaint = env["autorepair.complaint"].browse(self.complaint_id)
            activity_type = env.ref("autorepair_complaint.mail_activity_type_escalation")
            notices = env["mail.message"].search([
                ("model", "=", complaint._name), ("res_id", "=", complaint.id), ("body", "ilike", "Escalated")])
            return (complaint.escalation_level,
                    len(complaint.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)),
                    sorted(notices.mapped("message_type")))

    def test_second_cron_skips_the_complaint_being_escalated(self):
        first = self.transaction()
        self.assertEqual(self._escalate(first), 1)
        # the second process, meanwhile, in its own transaction: the row is held, it is skipped
        second = self.transaction()
        self.assertEqual(self.in_thread(partial(self._escalate, second), timeout=10)(), ("result", 0),
                         "skipped without waiting")
        second.cr.commit()
        first.cr.commit()
        self.assertEqual(self._escalations(), ("1", 1, NOTICES))

    @mute_logger("odoo.service.model", "odoo.sql_db")
    def test_second_cron_started_before_the_first_committed(self):
        """Its snapshot predates the first's escalation: PostgreSQL refuses
        its claim, and the retry finds the complaint escalated."""
        second = self.transaction()
        second["autorepair.complaint"].browse(self.complaint_id).read(["escalation_level"])
        with self.committed() as first:
            self.assertEqual(self._escalate(first), 1)
        self.assertEqual(retrying(partial(self._escalate, second), second), 0)
        self.assertEqual(self._escalations(), ("1", 1, NOTICES))
