"""The error every check of this package raises."""


class InvalidInput(ValueError):
    """Input a user must correct; ``message`` is an Odoo ``LazyGettext``."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)
