from . import base_partner_merge_automatic_wizard
from . import autorepair_loyalty_redeem
from . import autorepair_erasure_wizard
