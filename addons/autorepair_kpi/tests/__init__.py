from . import test_kpi, test_statement, test_plan, test_export, test_ui, test_settings
from . import test_dashboard
from . import test_menus
from . import test_home
from . import test_no_english
from . import test_worked_month
from . import test_kpi_rework
