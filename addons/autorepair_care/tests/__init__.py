from . import test_rules
from . import test_attempts
from . import test_return
from . import test_consent
from . import test_engine
from . import test_access
from . import test_ui
from . import test_i18n
