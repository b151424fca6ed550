"""Sample documents and the generator that renders them (see samples/README.md)."""
