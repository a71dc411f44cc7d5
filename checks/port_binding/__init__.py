"""Factor VII, Port binding: export services by binding to a port given by the environment.

Rules, in code order:

- FS0701 hardcoded-port (`hardcoded_port.py`)
- FS0702 loopback-bind (`loopback_bind.py`)
- FS0703 port-mismatch (`port_mismatch.py`)
"""

from factorscan.checks.port_binding.hardcoded_port import HardcodedPort
from factorscan.checks.port_binding.loopback_bind import LoopbackBind
from factorscan.checks.port_binding.port_mismatch import PortMismatch

__all__ = ["HardcodedPort", "LoopbackBind", "PortMismatch"]
