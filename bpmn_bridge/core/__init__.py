"""The engine-neutral core: connector definitions, context, outcomes, secrets, the pipeline.

Nothing in this package imports an engine client; adapters translate to and from it.
"""

from bpmn_bridge.core._context import Cancellation, ConnectorContext, Job, JobInfo, LeaseExtender
from bpmn_bridge.core._durations import format_duration, parse_duration
from bpmn_bridge.core._errors import (
    BpmnError,
    BridgeError,
    ConfigurationError,
    ConnectorDefinitionError,
    ConnectorError,
    EngineError,
    EngineRejectedError,
    EngineUnavailableError,
    FieldProblem,
    InputError,
    InvalidHeaderError,
    InvalidInputError,
    JobNotFoundError,
    RetryableError,
    SecretNotFoundError,
)
from bpmn_bridge.core._headers import STANDARD_HEADERS, StandardHeaders, parse_standard_headers
from bpmn_bridge.core._outcome import BpmnErrorThrown, Completed, Failed, Outcome
from bpmn_bridge.core._pipeline import JobPipeline
from bpmn_bridge.core._secrets import (
    ChainSecretProvider,
    DirectorySecretProvider,
    EnvSecretProvider,
    MappingSecretProvider,
    SecretMasker,
    SecretProvider,
    resolve_secrets,
)
from bpmn_bridge.core._spec import ConnectorSpec, RetryPolicy, connector, get_spec

__all__ = [
    "STANDARD_HEADERS",
    "BpmnError",
    "BpmnErrorThrown",
    "BridgeError",
    "Cancellation",
    "ChainSecretProvider",
    "Completed",
    "ConfigurationError",
    "ConnectorContext",
    "ConnectorDefinitionError",
    "ConnectorError",
    "ConnectorSpec",
    "DirectorySecretProvider",
    "EngineError",
    "EngineRejectedError",
    "EngineUnavailableError",
    "EnvSecretProvider",
    "Failed",
    "FieldProblem",
    "InputError",
    "InvalidHeaderError",
    "InvalidInputError",
    "Job",
    "JobInfo",
    "JobNotFoundError",
    "JobPipeline",
    "LeaseExtender",
    "MappingSecretProvider",
    "Outcome",
    "RetryPolicy",
    "RetryableError",
    "SecretMasker",
    "SecretNotFoundError",
    "SecretProvider",
    "StandardHeaders",
    "connector",
    "format_duration",
    "get_spec",
    "parse_duration",
    "parse_standard_headers",
    "resolve_secrets",
]
