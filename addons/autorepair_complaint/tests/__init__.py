from . import test_complaint
from . import test_ui
from . import test_i18n
from . import test_settings
from . import test_compensation_approval
from . import test_attack_money
from . import test_attack_company
from . import test_attack_export
