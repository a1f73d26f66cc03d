from . import autorepair_complaint_stage
from . import autorepair_complaint_severity
from . import autorepair_complaint
from . import autorepair_complaint_action
from . import autorepair_complaint_compensation
from . import autorepair_followup
from . import autorepair_service_order
from . import res_config_settings
