"""What the units send back: read each file (read → identify → read_workbook), decide between a unit's returns,
consolidate them into tables, and write collect's workbook and report."""
