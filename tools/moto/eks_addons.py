"""EKS managed add-ons for moto, which (as of 5.2.5) has none of the add-on API.

install() adds the six operations Switchyard calls to moto's EKS service before the server starts:
CreateAddon, DescribeAddon, ListAddons, DeleteAddon, UpdateAddon and DescribeAddonVersions. It adds
their restJson1 URIs to moto.eks.urls.url_paths (moto builds its Flask routes from that dict when the
EKS app is first used) and their handlers to EKSResponse: BaseResponse finds the operation from the
method and URI through botocore's EKS model and calls the snake_case method of that name, and moto's
own serializer shapes the JSON from the model's output shape.

How this differs from EKS, on purpose (moto style):
- An add-on is ACTIVE as soon as CreateAddon returns (EKS goes CREATING -> ACTIVE), with no health
  issues. UpdateAddon applies at once and its update is "Successful" (EKS: "InProgress" first).
  DeleteAddon removes the add-on at once; its response shows the add-on as DELETING, as EKS's does.
- Nothing is installed in any Kubernetes cluster; resolveConflicts and preserve are validated or
  accepted and otherwise have no effect. podIdentityAssociations and namespaceConfig are ignored.
- The versions come from the static catalog below, which is test data: plausible version strings,
  not the real AWS catalog. It covers the Kubernetes versions that eks_versions.py offers.
- clientRequestToken: a CreateAddon repeated with the token that created the add-on returns that
  add-on (whatever its other parameters); any other token is ResourceInUseException. An UpdateAddon
  repeated with the same token returns the same update without applying anything again.
- Add-ons are not taggable through TagResource / ListTagsForResource (moto's tagging knows only
  clusters, node groups and Fargate profiles); their tags are those given to CreateAddon.

Add-ons live on moto's Cluster object (attribute `managed_addons`), so they go with the cluster on
DeleteCluster and with the whole backend on moto's reset (/moto-api/reset).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.eks import urls as eks_urls
from moto.eks.exceptions import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from moto.eks.models import CLUSTER_NOT_FOUND_MSG, Cluster
from moto.eks.responses import EKSResponse
from moto.moto_api._internal import mock_random as random

from eks_requests import paginate, parse_query
from eks_versions import OFFERED_VERSIONS

# Test data, not the AWS catalog: plausible version strings and compatibilities for the Kubernetes
# versions DescribeClusterVersions offers for new clusters (eks_versions.py, the one list of them).
# Each entry: version -> the cluster versions it supports, with the one it is the default for marked
# by a trailing "*". Newest first, as EKS lists them. Every add-on has exactly one default per offered
# cluster version and none for any other (checked below, at import). The defaults are deliberately not
# always the newest compatible version (vpc-cni on 1.34, aws-ebs-csi-driver on 1.34/1.35), so a test
# can tell "the default" from "the newest".
CLUSTER_VERSIONS = OFFERED_VERSIONS

_CATALOG_SOURCE: dict[str, dict[str, Any]] = {
    "vpc-cni": {
        "type": "networking",
        "requiresIamPermissions": True,
        "versions": {
            "v1.21.1-eksbuild.1": "1.34 1.35* 1.36*",
            "v1.20.4-eksbuild.2": "1.33* 1.34* 1.35 1.36",
            "v1.19.6-eksbuild.7": "1.32* 1.33 1.34",
        },
    },
    "coredns": {
        "type": "networking",
        "requiresIamPermissions": False,
        "versions": {
            "v1.13.1-eksbuild.1": "1.36*",
            "v1.12.4-eksbuild.1": "1.35* 1.36",
            "v1.12.2-eksbuild.4": "1.33 1.34*",
            "v1.12.1-eksbuild.2": "1.33*",
            "v1.11.4-eksbuild.14": "1.32*",
        },
    },
    "kube-proxy": {
        "type": "networking",
        "requiresIamPermissions": False,
        "versions": {
            "v1.36.0-eksbuild.1": "1.36*",
            "v1.35.0-eksbuild.2": "1.35*",
            "v1.34.1-eksbuild.3": "1.34*",
            "v1.34.0-eksbuild.4": "1.34",
            "v1.33.3-eksbuild.10": "1.33*",
            "v1.33.0-eksbuild.2": "1.33",
            "v1.32.6-eksbuild.12": "1.32*",
        },
    },
    "aws-ebs-csi-driver": {
        "type": "storage",
        "requiresIamPermissions": True,
        "versions": {
            "v1.48.0-eksbuild.2": "1.34 1.35 1.36*",
            "v1.46.0-eksbuild.1": "1.33* 1.34* 1.35*",
            "v1.44.0-eksbuild.1": "1.32* 1.33 1.34",
        },
    },
}


def _build_catalog() -> list[dict[str, Any]]:
    """The catalog as DescribeAddonVersions AddonInfo dicts, sorted by add-on name."""
    catalog = []
    for name in sorted(_CATALOG_SOURCE):
        source = _CATALOG_SOURCE[name]
        versions = []
        for version, spec in source["versions"].items():
            compatibilities = []
            for word in spec.split():
                cluster_version = word.rstrip("*")
                assert cluster_version in CLUSTER_VERSIONS, (name, version, word)
                compatibilities.append(
                    {
                        "clusterVersion": cluster_version,
                        "platformVersions": ["*"],
                        "defaultVersion": word.endswith("*"),
                    }
                )
            versions.append(
                {
                    "addonVersion": version,
                    "architecture": ["amd64", "arm64"],
                    "computeTypes": ["ec2"],
                    "compatibilities": compatibilities,
                    "requiresConfiguration": False,
                    "requiresIamPermissions": source["requiresIamPermissions"],
                }
            )
        for cluster_version in CLUSTER_VERSIONS:
            defaults = [
                v["addonVersion"]
                for v in versions
                for c in v["compatibilities"]
                if c["clusterVersion"] == cluster_version and c["defaultVersion"]
            ]
            assert len(defaults) == 1, (name, cluster_version, defaults)
        catalog.append(
            {
                "addonName": name,
                "type": source["type"],
                "addonVersions": versions,
                "publisher": "eks",
                "owner": "aws",
                "defaultNamespace": "kube-system",
            }
        )
    return catalog


CATALOG = _build_catalog()
_CATALOG_BY_NAME = {info["addonName"]: info for info in CATALOG}

ADDON_ARN_TEMPLATE = "arn:{partition}:eks:{region}:{account_id}:addon/{cluster_name}/{addon_name}/{uuid}"
RESOLVE_CONFLICTS = ("OVERWRITE", "NONE", "PRESERVE")

# Moto's server is threaded and Switchyard creates a cluster's add-ons in parallel: every read and
# change of add-on state holds this lock.
_lock = threading.RLock()


class ManagedAddon:
    def __init__(
        self,
        cluster: Cluster,
        addon_name: str,
        addon_version: str,
        account_id: str,
        region_name: str,
        partition: str,
        client_request_token: str | None,
        tags: dict[str, str],
        service_account_role_arn: str | None,
        configuration_values: str | None,
    ) -> None:
        info = _CATALOG_BY_NAME[addon_name]
        self.addon_name = addon_name
        self.cluster_name = cluster.name
        self.addon_version = addon_version
        self.status = "ACTIVE"
        self.arn = ADDON_ARN_TEMPLATE.format(
            partition=partition,
            region=region_name,
            account_id=account_id,
            cluster_name=cluster.name,
            addon_name=addon_name,
            uuid=random.uuid4(),
        )
        self.created_at: datetime = utcnow()
        self.modified_at: datetime = self.created_at
        self.client_request_token = client_request_token
        self.tags = tags
        self.service_account_role_arn = service_account_role_arn
        self.configuration_values = configuration_values
        self.publisher = info["publisher"]
        self.owner = info["owner"]
        # clientRequestToken -> the Update that UpdateAddon returned for it.
        self.updates: dict[str, dict[str, Any]] = {}

    def to_dict(self, status: str | None = None) -> dict[str, Any]:
        addon: dict[str, Any] = {
            "addonName": self.addon_name,
            "clusterName": self.cluster_name,
            "status": status or self.status,
            "addonVersion": self.addon_version,
            "health": {"issues": []},
            "addonArn": self.arn,
            "createdAt": self.created_at,
            "modifiedAt": self.modified_at,
            "tags": dict(self.tags),
            "publisher": self.publisher,
            "owner": self.owner,
        }
        if self.service_account_role_arn is not None:
            addon["serviceAccountRoleArn"] = self.service_account_role_arn
        if self.configuration_values is not None:
            addon["configurationValues"] = self.configuration_values
        return addon


# --- request parsing (the query string and paging: eks_requests.py) ---------------------------------


def _uri(response: EKSResponse, name: str) -> str:
    return str(response.uri_match[name])


def _body(response: EKSResponse) -> dict[str, Any]:
    if not response.body:
        return {}
    try:
        body = json.loads(response.body)
    except ValueError:
        raise InvalidParameterException(message="The request body is not valid JSON.")
    if not isinstance(body, dict):
        raise InvalidParameterException(message="The request body must be a JSON object.")
    return body


def _optional_string(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidParameterException(message=f"{key} must be a string.")
    return value


# --- state ------------------------------------------------------------------------------------------


def _cluster(response: EKSResponse, name: str) -> Cluster:
    cluster = response.eks_backend.clusters.get(name)
    if cluster is None:
        raise ResourceNotFoundException(
            clusterName=name,
            nodegroupName=None,
            fargateProfileName=None,
            addonName=None,
            message=CLUSTER_NOT_FOUND_MSG.format(clusterName=name),
        )
    return cluster


def _addons(cluster: Cluster) -> dict[str, ManagedAddon]:
    addons = getattr(cluster, "managed_addons", None)
    if addons is None:
        addons = {}
        cluster.managed_addons = addons  # type: ignore[attr-defined]
    return addons


def _addon(cluster: Cluster, addon_name: str) -> ManagedAddon:
    addon = _addons(cluster).get(addon_name)
    if addon is None:
        raise ResourceNotFoundException(
            clusterName=cluster.name,
            nodegroupName=None,
            fargateProfileName=None,
            addonName=addon_name,
            message=f"No addon: {addon_name} found in cluster: {cluster.name}",
        )
    return addon


def _compatible_version(cluster: Cluster, addon_name: str, addon_version: str | None) -> str:
    """The requested version if the cluster's Kubernetes version supports it, else its default."""
    info = _CATALOG_BY_NAME.get(addon_name)
    if info is None:
        raise InvalidParameterException(
            clusterName=cluster.name,
            addonName=addon_name,
            message=f"Addon {addon_name} is not supported.",
        )
    for version in info["addonVersions"]:
        for compatibility in version["compatibilities"]:
            if compatibility["clusterVersion"] != cluster.version:
                continue
            if addon_version is None and compatibility["defaultVersion"]:
                return str(version["addonVersion"])
            if addon_version == version["addonVersion"]:
                return addon_version
    wanted = f"version {addon_version}" if addon_version else "any version"
    raise InvalidParameterException(
        clusterName=cluster.name,
        addonName=addon_name,
        message=f"Addon {addon_name} {wanted} is not supported for Kubernetes version {cluster.version}.",
    )


def _check_resolve_conflicts(body: dict[str, Any]) -> str | None:
    value = body.get("resolveConflicts")
    if value is not None and value not in RESOLVE_CONFLICTS:
        raise InvalidParameterException(
            message=f"resolveConflicts must be one of {', '.join(RESOLVE_CONFLICTS)}."
        )
    return value


def _check_active(cluster: Cluster) -> None:
    if not cluster.is_active:
        raise InvalidRequestException(message=f"Cluster '{cluster.name}' is not in ACTIVE status")


# --- operations (installed on EKSResponse) ---------------------------------------------------------


def create_addon(self: EKSResponse) -> ActionResult:
    body = _body(self)
    cluster_name = _uri(self, "name")
    addon_name = _optional_string(body, "addonName")
    if not addon_name:
        raise InvalidParameterException(clusterName=cluster_name, message="addonName is required.")
    token = _optional_string(body, "clientRequestToken")
    tags = body.get("tags") or {}
    if not isinstance(tags, dict):
        raise InvalidParameterException(message="tags must be a map of strings.")
    with _lock:
        cluster = _cluster(self, cluster_name)
        existing = _addons(cluster).get(addon_name)
        if existing is not None:
            if token is not None and token == existing.client_request_token:
                return ActionResult({"addon": existing.to_dict()})
            raise ResourceInUseException(
                clusterName=cluster.name,
                nodegroupName=None,
                addonName=addon_name,
                message="Addon already exists.",
            )
        _check_active(cluster)
        _check_resolve_conflicts(body)
        version = _compatible_version(cluster, addon_name, _optional_string(body, "addonVersion"))
        backend = self.eks_backend
        addon = ManagedAddon(
            cluster=cluster,
            addon_name=addon_name,
            addon_version=version,
            account_id=backend.account_id,
            region_name=backend.region_name,
            partition=backend.partition,
            client_request_token=token,
            tags=dict(tags),
            service_account_role_arn=_optional_string(body, "serviceAccountRoleArn"),
            configuration_values=_optional_string(body, "configurationValues"),
        )
        _addons(cluster)[addon_name] = addon
        return ActionResult({"addon": addon.to_dict()})


def describe_addon(self: EKSResponse) -> ActionResult:
    with _lock:
        cluster = _cluster(self, _uri(self, "name"))
        return ActionResult({"addon": _addon(cluster, _uri(self, "addonName")).to_dict()})


def list_addons(self: EKSResponse) -> ActionResult:
    query = parse_query(self)
    with _lock:
        names = sorted(_addons(_cluster(self, _uri(self, "name"))))
    page, next_token = paginate("ListAddons", names, query)
    return ActionResult({"addons": page, "nextToken": next_token})


def delete_addon(self: EKSResponse) -> ActionResult:
    # `preserve` (keep the add-on's Kubernetes resources) has nothing to act on here.
    with _lock:
        cluster = _cluster(self, _uri(self, "name"))
        addon = _addon(cluster, _uri(self, "addonName"))
        del _addons(cluster)[addon.addon_name]
        return ActionResult({"addon": addon.to_dict(status="DELETING")})


def update_addon(self: EKSResponse) -> ActionResult:
    body = _body(self)
    token = _optional_string(body, "clientRequestToken")
    with _lock:
        cluster = _cluster(self, _uri(self, "name"))
        addon = _addon(cluster, _uri(self, "addonName"))
        if token is not None and token in addon.updates:
            return ActionResult({"update": addon.updates[token]})
        _check_active(cluster)
        resolve_conflicts = _check_resolve_conflicts(body)
        params = []
        requested_version = _optional_string(body, "addonVersion")
        if requested_version is not None:
            addon.addon_version = _compatible_version(cluster, addon.addon_name, requested_version)
            params.append({"type": "AddonVersion", "value": addon.addon_version})
        role_arn = _optional_string(body, "serviceAccountRoleArn")
        if role_arn is not None:
            addon.service_account_role_arn = role_arn
            params.append({"type": "ServiceAccountRoleArn", "value": role_arn})
        if resolve_conflicts is not None:
            params.append({"type": "ResolveConflicts", "value": resolve_conflicts})
        configuration = _optional_string(body, "configurationValues")
        if configuration is not None:
            addon.configuration_values = configuration
            params.append({"type": "ConfigurationValues", "value": configuration})
        now = utcnow()
        addon.modified_at = now
        update = {
            "id": str(random.uuid4()),
            "status": "Successful",
            "type": "AddonUpdate",
            "params": params,
            "createdAt": now,
            "errors": [],
        }
        if token is not None:
            addon.updates[token] = update
        return ActionResult({"update": update})


def describe_addon_versions(self: EKSResponse) -> ActionResult:
    query = parse_query(self)
    addon_name = query.get("addonName", [None])[0]
    kubernetes_version = query.get("kubernetesVersion", [None])[0]
    types = query.get("types", [])
    publishers = query.get("publishers", [])
    owners = query.get("owners", [])
    matching = []
    for info in CATALOG:
        if addon_name is not None and info["addonName"] != addon_name:
            continue
        if types and info["type"] not in types:
            continue
        if publishers and info["publisher"] not in publishers:
            continue
        if owners and info["owner"] not in owners:
            continue
        versions = info["addonVersions"]
        if kubernetes_version is not None:
            # Only the versions for that Kubernetes version, each listing only that compatibility.
            versions = [
                {**v, "compatibilities": matched}
                for v in versions
                if (matched := [c for c in v["compatibilities"] if c["clusterVersion"] == kubernetes_version])
            ]
            if not versions:
                continue
        matching.append({**info, "addonVersions": versions})
    page, next_token = paginate("DescribeAddonVersions", matching, query)
    return ActionResult({"addons": page, "nextToken": next_token})


# --- installation -----------------------------------------------------------------------------------

_OPERATIONS = {
    "create_addon": create_addon,
    "describe_addon": describe_addon,
    "list_addons": list_addons,
    "delete_addon": delete_addon,
    "update_addon": update_addon,
    "describe_addon_versions": describe_addon_versions,
}

# The restJson1 URIs of the six operations, in the form of moto.eks.urls.url_paths.
_URL_PATHS = (
    "{0}/clusters/(?P<name>[^/]+)/addons$",
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$",
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)/update$",
    "{0}/addons/supported-versions$",
)


def install() -> None:
    """Adds the add-on operations to moto's EKS. Call before the server handles its first request."""
    for name, function in _OPERATIONS.items():
        current = EKSResponse.__dict__.get(name)
        if current is function:
            continue
        if current is not None or hasattr(EKSResponse, name):
            # A newer moto brought its own: this module must be dropped or reconciled, not mixed in.
            raise RuntimeError(f"moto's EKSResponse already has {name}; revisit tools/moto/eks_addons.py")
        setattr(EKSResponse, name, function)
    for path in _URL_PATHS:
        eks_urls.url_paths.setdefault(path, eks_urls.response.dispatch)
