"""The embedded engine's deployments: parsed BPMN resources and their process definitions.

Each process id (per tenant) keeps its versions in deployment order. Definitions carry the
flavour of their model, and a front of one flavour does not see the other engine's
definitions (`visible`), as on two separate engines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ._bpmn import parse_bpmn
from ._errors import InvalidArgumentError, ProcessDefinitionNotFoundError
from ._model import Deployment, ProcessDefinition, norm_tenant, now_ms

__all__ = ["DeploymentStore", "visible"]


def visible(definition: ProcessDefinition, flavour: str) -> bool:
    """Whether a front of ``flavour`` sees a definition: all but the other engine's own."""
    other = {"camunda8": "camunda7", "camunda7": "camunda8"}.get(flavour)
    return definition.flavour != other


class DeploymentStore:
    """Deployments and process definitions by key, and the versions of each process.

    Args:
        next_key: the engine's key allocator.
        max_resource_bytes: largest BPMN resource accepted by `deploy`.
    """

    def __init__(self, *, next_key: Callable[[], int], max_resource_bytes: int) -> None:
        self.next_key = next_key
        self.max_resource_bytes = max_resource_bytes
        self.deployments: dict[int, Deployment] = {}
        self.definitions: dict[int, ProcessDefinition] = {}
        self._versions: dict[tuple[str, str | None], list[ProcessDefinition]] = {}

    def deploy(
        self,
        resources: Mapping[str, bytes] | Sequence[tuple[str, bytes]],
        *,
        tenant_id: str | None,
        name: str | None,
        deduplicate: bool,
    ) -> Deployment:
        """Parse and deploy BPMN resources atomically; see `EmbeddedEngine.deploy`."""
        items = list(resources.items()) if isinstance(resources, Mapping) else list(resources)
        if not items:
            raise InvalidArgumentError("Expected to deploy at least one resource, but none given")
        tenant = norm_tenant(tenant_id)
        parsed = [
            (res_name, data, parse_bpmn(data, max_bytes=self.max_resource_bytes))
            for res_name, data in items
        ]
        deployment_key = self.next_key()
        processes: list[ProcessDefinition] = []
        for res_name, data, graphs in parsed:
            for graph in graphs:
                versions = self._versions.setdefault((graph.process_id, tenant), [])
                latest = versions[-1] if versions else None
                if deduplicate and latest is not None and latest.resource == data:
                    processes.append(latest)
                    continue
                version = len(versions) + 1
                key = self.next_key()
                definition = ProcessDefinition(
                    key=key,
                    id=f"{graph.process_id}:{version}:{key}",
                    bpmn_process_id=graph.process_id,
                    version=version,
                    name=graph.name,
                    version_tag=graph.version_tag,
                    resource_name=res_name,
                    tenant_id=tenant,
                    deployment_key=deployment_key,
                    flavour=graph.flavour,
                    namespaces=graph.namespaces,
                    resource=data,
                    graph=graph,
                )
                versions.append(definition)
                self.definitions[key] = definition
                processes.append(definition)
        deployment = Deployment(
            key=deployment_key,
            name=name or items[0][0],
            tenant_id=tenant,
            deployed_at=now_ms(),
            processes=tuple(processes),
        )
        self.deployments[deployment_key] = deployment
        return deployment

    def get_definition(self, key_or_id: int | str) -> ProcessDefinition:
        """A definition by int64 key or Camunda 7 id string.

        Raises:
            ProcessDefinitionNotFoundError: unknown key/id.
        """
        if isinstance(key_or_id, int):
            found = self.definitions.get(key_or_id)
        else:
            found = next((d for d in self.definitions.values() if d.id == key_or_id), None)
        if found is None:
            raise ProcessDefinitionNotFoundError(f"No process definition {key_or_id!r}")
        return found

    def latest_definition(
        self,
        bpmn_process_id: str,
        *,
        version: int | None,
        tenant_id: str | None,
        flavour: str | None,
    ) -> ProcessDefinition:
        """The latest (or given) version of a process; see `EmbeddedEngine.latest_definition`."""
        versions = self._versions.get((bpmn_process_id, norm_tenant(tenant_id)))
        if versions and flavour is not None and version is None:
            versions = [d for d in versions if visible(d, flavour)]
        if not versions:
            raise ProcessDefinitionNotFoundError(
                f"Expected to find process definition with process ID '{bpmn_process_id}', "
                "but none found"
            )
        if version is None or version < 0:
            return versions[-1]
        if not 1 <= version <= len(versions):
            raise ProcessDefinitionNotFoundError(
                f"Expected to find process definition with process ID '{bpmn_process_id}' "
                f"and version '{version}', but none found"
            )
        return versions[version - 1]

    def definition_to_start(
        self,
        bpmn_process_id: str | None,
        *,
        definition_key: int | None,
        version: int | None,
        tenant_id: str | None,
        flavour: str | None,
    ) -> ProcessDefinition:
        """The definition a start command names, as seen by a front of ``flavour``.

        Raises:
            ProcessDefinitionNotFoundError: no matching (visible) definition.
            InvalidArgumentError: neither id nor key given.
        """
        if definition_key is not None:
            definition = self.get_definition(definition_key)
            if flavour is not None and not visible(definition, flavour):
                raise ProcessDefinitionNotFoundError(
                    f"Expected to find process definition with key '{definition_key}', "
                    "but none found"
                )
            return definition
        if bpmn_process_id:
            return self.latest_definition(
                bpmn_process_id, version=version, tenant_id=tenant_id, flavour=flavour
            )
        raise InvalidArgumentError("Expected a BPMN process id or a process definition key")
