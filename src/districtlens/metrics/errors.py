"""The one exception the metrics raise for input they cannot measure."""


class MetricsInputError(ValueError):
    """Input the measures cannot be computed on, with a message a person can act on."""
