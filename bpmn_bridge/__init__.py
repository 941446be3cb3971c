"""bpmn-bridge: write a BPMN connector once, run it on Camunda 8 and Camunda 7.

A connector is a plain typed function::

    from pydantic import BaseModel
    from bpmn_bridge import connector, ConnectorContext

    class Greet(BaseModel):
        name: str

    @connector(type="greet")
    async def greet(input: Greet, context: ConnectorContext) -> dict[str, str]:
        return {"greeting": f"Hello {input.name}"}

The engine adapters (``bpmn_bridge.adapters``) and the runtime (``bpmn_bridge.runtime``) run it
as a Zeebe job worker, a Camunda 7 external-task worker, or both at once.
"""

from bpmn_bridge.core import (
    BpmnError,
    BpmnErrorThrown,
    BridgeError,
    Cancellation,
    ChainSecretProvider,
    Completed,
    ConfigurationError,
    ConnectorContext,
    ConnectorDefinitionError,
    ConnectorError,
    ConnectorSpec,
    DirectorySecretProvider,
    EngineError,
    EngineRejectedError,
    EngineUnavailableError,
    EnvSecretProvider,
    Failed,
    FieldProblem,
    InputError,
    InvalidHeaderError,
    InvalidInputError,
    Job,
    JobInfo,
    JobNotFoundError,
    JobPipeline,
    MappingSecretProvider,
    Outcome,
    RetryableError,
    RetryPolicy,
    SecretMasker,
    SecretNotFoundError,
    SecretProvider,
    connector,
    get_spec,
)

__version__ = "0.1.0"

__all__ = [
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
    "MappingSecretProvider",
    "Outcome",
    "RetryPolicy",
    "RetryableError",
    "SecretMasker",
    "SecretNotFoundError",
    "SecretProvider",
    "__version__",
    "connector",
    "get_spec",
]
