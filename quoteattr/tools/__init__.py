"""Tools around the attributor: file and corpus reading, output formats, batch prediction, reports."""
