"""智慧运营 operations: SOE sites for 5G, radio coverage, site selection, leasing, telemetry.

Meets the other platforms only through data-centre datasets."""

__all__: list[str] = []
