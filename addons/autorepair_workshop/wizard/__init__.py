from . import autorepair_customer_link_wizard
from . import autorepair_quote_decision_wizard
from . import autorepair_walkaround_sign_wizard
from . import sms_resend
from . import autorepair_service_package_wizard
from . import autorepair_parts_issue_wizard
from . import autorepair_reward_apply_wizard
from . import autorepair_card_top_up_wizard
