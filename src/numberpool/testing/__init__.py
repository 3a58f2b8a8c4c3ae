"""numberpool inside a test process: ``numberpool.mock()`` (``mock``), how requests reach it
(``intercept``), webhooks delivered to an in-process app (``transports``), and the pytest fixture
(``pytest_plugin``)."""
