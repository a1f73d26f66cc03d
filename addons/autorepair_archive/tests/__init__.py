from . import test_archive_filing
from . import test_archive_security
from . import test_i18n
