from . import autorepair_care_report
