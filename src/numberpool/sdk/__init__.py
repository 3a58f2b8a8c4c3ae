"""Pointing the official SDK at a numberpool server (``redirect``: the function ``numberpool.client``)
and making its numbers receive traffic (``inbound``: ``numberpool.receive_message`` /
``receive_call``); ``settings``: the credentials of the environment."""
