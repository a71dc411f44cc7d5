"""Factor IV, Backing services: treat backing services as attached resources.

A service URL is one value: its password, if any, is reported here (as an
error, never shown), not as a separate FS0301 finding.

Rules, in code order:

- FS0401 hardcoded-service-url (`hardcoded_service_url.py`)
- FS0402 hardcoded-service-endpoint (`hardcoded_service_endpoint.py`)
"""

from factorscan.checks.backing_services.hardcoded_service_endpoint import HardcodedServiceEndpoint
from factorscan.checks.backing_services.hardcoded_service_url import HardcodedServiceUrl

__all__ = ["HardcodedServiceEndpoint", "HardcodedServiceUrl"]
