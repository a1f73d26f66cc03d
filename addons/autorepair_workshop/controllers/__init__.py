from . import portal
from . import portal_history
from . import portal_booking
