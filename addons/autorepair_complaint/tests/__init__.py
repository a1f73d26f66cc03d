from . import test_complaint
from . import test_ui
