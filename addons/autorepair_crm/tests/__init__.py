from . import test_tools
from . import test_bad_input
from . import test_customer
from . import test_vehicle
from . import test_access
from . import test_value_class
from . import test_ui
from . import test_i18n
