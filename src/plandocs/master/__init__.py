"""The plan master workbook: its layout (schema), reading it (load), the typed plan (builder, model), its rules (validate)."""
