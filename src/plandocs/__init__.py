"""plandocs: an agency's annual plan documents from one Excel workbook, and the units' returns gathered back."""

__version__ = "0.1.0"
