"""The documents of the plan: the Word templates and their contexts, rendering, template checks, and the fill-in
form each unit receives (its contract in fill_in_form, drawn by fill_in_workbook)."""
