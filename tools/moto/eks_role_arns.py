"""Moto's EKS checks each role ARN's partition against boto3's list of partitions, and builds that
list anew on every CreateCluster and CreateNodegroup: a new boto3 Session that parses botocore's
endpoint catalog (a large JSON file) again. That cost about 25 ms per create, and the garbage it left
set off a collector pause of about 200 ms every few creates, so a random third of the creates in the
sandbox took ten times longer than the rest. The partitions do not change while the server runs:
install() reads them once and keeps moto's check as it is.
"""

from __future__ import annotations

from boto3 import Session

from moto.eks import utils as eks_utils


class _KnownPartitions:
    """Stands in for boto3's Session where moto's EKS asks it for the partitions, and nothing else."""

    def __init__(self, partitions: list[str]) -> None:
        self._partitions = partitions

    def get_available_partitions(self) -> list[str]:
        return list(self._partitions)


def install() -> None:
    known = _KnownPartitions(Session().get_available_partitions())
    eks_utils.Session = lambda: known  # type: ignore[attr-defined]
