from . import autorepair_archive_export
