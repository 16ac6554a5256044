"""The importer kit: reading spreadsheets and their cells, and the files people take away."""
