from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        result = super()._post_load_data(template_code, company, template_data)
        # the parts' valuation needs the chart's stock and cost accounts: set up once they exist
        (company or self.env.company)._autorepair_workshop_stock_setup()
        # the stored-value cards' liability and bonus expense, in Settings from the start
        (company or self.env.company)._autorepair_member_card_accounts()
        # the cashier's payment methods, one journal each
        (company or self.env.company)._autorepair_cashier_journals()
        return result
