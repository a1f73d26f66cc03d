from . import test_complaint
from . import test_ui
from . import test_i18n
from . import test_settings
from . import test_attack_alias
from . import test_attack_portal
