"""Tools over the attributor: file and corpus reading, batch prediction."""
