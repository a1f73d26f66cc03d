from . import autorepair_service_report
from . import autorepair_service_report_month
from . import autorepair_completion_certificate
from . import autorepair_gate_pass
