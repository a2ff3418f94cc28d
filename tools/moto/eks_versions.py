"""EKS DescribeClusterVersions for moto, which (as of 5.2.5) does not have it.

install() adds GET /cluster-versions to moto's EKS the way eks_addons.py adds the add-on API (see
there): the restJson1 URI goes into moto.eks.urls.url_paths, the handler onto EKSResponse, and moto's
serializer shapes the JSON from botocore's model.

KUBERNETES_VERSIONS below is the test environment's one list of Kubernetes versions: the add-on
catalog in eks_addons.py covers exactly the versions offered here (OFFERED_VERSIONS), and checks that
at import.

How this differs from EKS, on purpose (moto style):
- The catalog is test data. Each version's status is fixed, not worked out from its dates and today,
  so that no test changes its answer with the date it runs on; the dates follow EKS's rule (14 months
  of standard support from release, then 12 of extended) from plausible release dates, and do not
  agree with the statuses on any one day (1.31 could not be unsupported while 1.33 is in standard).
- includeAll: the API reference says only "Include all available versions in the response". Here a
  request without it leaves out the UNSUPPORTED versions (what EKS would no longer create), and one
  with includeAll=true lists them too; the other filters apply after that. That is a reading of the
  reference, not observed behaviour: callers that care about support status should check
  versionStatus themselves.
- Versions are listed newest first; controlPlaneScalingTiers and controlPlaneComponentConfig are not
  returned. Only clusterType "eks" has versions (EKS also knows local clusters on Outposts).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from moto.core.responses import ActionResult
from moto.eks import urls as eks_urls
from moto.eks.exceptions import InvalidParameterException
from moto.eks.responses import EKSResponse

from eks_requests import parse_bool, parse_query, paginate

CLUSTER_TYPE = "eks"
STANDARD_SUPPORT_MONTHS = 14
EXTENDED_SUPPORT_MONTHS = 12

# (version, release date, status, patch version, default platform version), newest first. The
# newest version is the default for new clusters.
_SOURCE: tuple[tuple[str, date, str, str, str], ...] = (
    ("1.36", date(2026, 5, 27), "STANDARD_SUPPORT", "1.36.1", "eks.2"),
    ("1.35", date(2026, 1, 27), "STANDARD_SUPPORT", "1.35.3", "eks.6"),
    ("1.34", date(2025, 10, 2), "STANDARD_SUPPORT", "1.34.5", "eks.11"),
    ("1.33", date(2025, 5, 29), "STANDARD_SUPPORT", "1.33.8", "eks.19"),
    ("1.32", date(2025, 1, 23), "EXTENDED_SUPPORT", "1.32.11", "eks.27"),
    ("1.31", date(2024, 9, 26), "UNSUPPORTED", "1.31.14", "eks.40"),
)

# The deprecated `status` (request and response) spells each versionStatus this way.
_LEGACY_STATUS = {
    "STANDARD_SUPPORT": "standard-support",
    "EXTENDED_SUPPORT": "extended-support",
    "UNSUPPORTED": "unsupported",
}


def _months_later(day: date, months: int) -> datetime:
    month = day.month - 1 + months
    later = day.replace(year=day.year + month // 12, month=month % 12 + 1)
    return datetime(later.year, later.month, later.day, tzinfo=timezone.utc)


def _build_versions() -> list[dict[str, Any]]:
    """The catalog as DescribeClusterVersions ClusterVersionInformation dicts, newest first."""
    versions = []
    for index, (version, released, status, patch, platform) in enumerate(_SOURCE):
        assert status in _LEGACY_STATUS, (version, status)
        assert patch.startswith(f"{version}."), (version, patch)
        end_of_standard = _months_later(released, STANDARD_SUPPORT_MONTHS)
        versions.append(
            {
                "clusterVersion": version,
                "clusterType": CLUSTER_TYPE,
                "defaultPlatformVersion": platform,
                "defaultVersion": index == 0,
                "releaseDate": datetime(released.year, released.month, released.day, tzinfo=timezone.utc),
                "endOfStandardSupportDate": end_of_standard,
                "endOfExtendedSupportDate": _months_later(
                    released, STANDARD_SUPPORT_MONTHS + EXTENDED_SUPPORT_MONTHS
                ),
                "status": _LEGACY_STATUS[status],
                "versionStatus": status,
                "kubernetesPatchVersion": patch,
            }
        )
    assert versions[0]["versionStatus"] == "STANDARD_SUPPORT"
    return versions


KUBERNETES_VERSIONS = _build_versions()
# The versions a new cluster can be created with, oldest first.
OFFERED_VERSIONS = tuple(
    v["clusterVersion"] for v in reversed(KUBERNETES_VERSIONS) if v["versionStatus"] != "UNSUPPORTED"
)


def _status_filter(query: dict[str, list[str]]) -> str | None:
    """The versionStatus asked for, by versionStatus or by the deprecated status."""
    wanted = None
    version_status = query.get("versionStatus", [None])[0]
    if version_status is not None:
        if version_status not in _LEGACY_STATUS:
            raise InvalidParameterException(
                message=f"versionStatus must be one of {', '.join(_LEGACY_STATUS)}."
            )
        wanted = version_status
    legacy = query.get("status", [None])[0]
    if legacy is not None:
        by_legacy = {spelling: status for status, spelling in _LEGACY_STATUS.items()}
        if legacy not in by_legacy:
            raise InvalidParameterException(message=f"status must be one of {', '.join(by_legacy)}.")
        if wanted is not None and wanted != by_legacy[legacy]:
            raise InvalidParameterException(message="status and versionStatus ask for different statuses.")
        wanted = by_legacy[legacy]
    return wanted


def describe_cluster_versions(self: EKSResponse) -> ActionResult:
    query = parse_query(self)
    cluster_type = query.get("clusterType", [None])[0]
    include_all = parse_bool(query, "includeAll") or False
    default_only = parse_bool(query, "defaultOnly") or False
    wanted_versions = query.get("clusterVersions", [])
    wanted_status = _status_filter(query)
    matching = [
        v
        for v in KUBERNETES_VERSIONS
        if (include_all or v["versionStatus"] != "UNSUPPORTED")
        and (cluster_type is None or v["clusterType"] == cluster_type)
        and (not wanted_versions or v["clusterVersion"] in wanted_versions)
        and (wanted_status is None or v["versionStatus"] == wanted_status)
        and (not default_only or v["defaultVersion"])
    ]
    page, next_token = paginate("DescribeClusterVersions", matching, query)
    return ActionResult({"clusterVersions": page, "nextToken": next_token})


# --- installation -----------------------------------------------------------------------------------

_URL_PATH = "{0}/cluster-versions$"


def install() -> None:
    """Adds DescribeClusterVersions to moto's EKS. Call before the server handles its first request."""
    current = EKSResponse.__dict__.get("describe_cluster_versions")
    if current is not describe_cluster_versions:
        if current is not None or hasattr(EKSResponse, "describe_cluster_versions"):
            # A newer moto brought its own: this module must be dropped or reconciled, not mixed in.
            raise RuntimeError(
                "moto's EKSResponse already has describe_cluster_versions; revisit tools/moto/eks_versions.py"
            )
        EKSResponse.describe_cluster_versions = describe_cluster_versions  # type: ignore[attr-defined]
    eks_urls.url_paths.setdefault(_URL_PATH, eks_urls.response.dispatch)
