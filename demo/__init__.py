"""The five demo portals and their invented data (ERP files generated through the import): at
the top of the layering, above every app it fills."""
