"""The bundled sample data and the code that generates it."""
