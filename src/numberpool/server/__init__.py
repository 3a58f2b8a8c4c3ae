"""The server: the ``numberpool`` command (``cli``, ``args``, ``receive``), its one ``Settings``
(``settings``), the application it serves (``app``), its processes (``process``) and ``--seed``
(``seed``)."""
