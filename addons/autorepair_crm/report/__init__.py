from . import autorepair_personal_data_report
