"""The v1 products: messaging, trunking and proxy, each a router of its own."""
