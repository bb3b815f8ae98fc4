"""智慧监管 supervision: indicators (一利五率), early warnings, the rectification loop, reports.

Reads the data centre's datasets through ``datacenter.engine`` and publishes its own
(``supervision.indicator_values``); never imports operations or services."""

__all__: list[str] = []
