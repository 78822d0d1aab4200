"""The report tab: a draft report of a run, editable, exported to PDF, HTML and Markdown."""
