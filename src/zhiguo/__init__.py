"""zhiguo (智国): one data centre and three platforms for a city's state-owned-asset regulator.

The package is layered (see ARCHITECTURE.md): ``core`` knows no domain, ``registry`` knows who
is who, ``security`` who may see what, ``datacenter`` holds every number, and the three
platforms (``supervision``, ``operations``, ``services``) meet only through the data centre.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
