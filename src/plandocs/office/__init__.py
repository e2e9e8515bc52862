"""Office files as files: the guarded workbook reader, workbook layout, file signatures and relationships,
the atomic output set, and PDF conversion through LibreOffice."""
