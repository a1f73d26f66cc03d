from . import test_service_order
from . import test_portal
from . import test_reports
from . import test_service_report
from . import test_ui_service_order
from . import test_settings
from . import test_rpc_guards
from . import test_i18n
