"""Query-string parsing and paging shared by the EKS operations this folder adds to moto.

BaseResponse._get_param falls back to request headers when there is no query string, so the
operations read their parameters from where the EKS model puts them: URI, query string or JSON body.
The query string and the paging of list results are the same for every operation, hence here.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs

from moto.eks.exceptions import InvalidParameterException
from moto.eks.responses import EKSResponse

MAX_RESULTS_DEFAULT = 100

Query = dict[str, list[str]]


def parse_query(response: EKSResponse) -> Query:
    """Each query parameter with all its values: restJson1 sends a list as the parameter repeated."""
    return parse_qs(response.parsed_url.query, keep_blank_values=True)


def parse_bool(query: Query, name: str) -> bool | None:
    raw = query.get(name, [None])[0]
    if raw is None:
        return None
    if raw in ("true", "false"):
        return raw == "true"
    raise InvalidParameterException(message=f"{name} must be true or false.")


def paginate(operation: str, items: list[Any], query: Query) -> tuple[list[Any], str | None]:
    """The page of `items` that maxResults and nextToken ask for, and the token of the next page."""
    limit = _max_results(query)
    start = _decode_token(operation, query)
    end = start + limit
    next_token = _encode_token(operation, end) if end < len(items) else None
    return items[start:end], next_token


def _max_results(query: Query) -> int:
    raw = query.get("maxResults", [None])[0]
    if raw is None:
        return MAX_RESULTS_DEFAULT
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= 100:
        raise InvalidParameterException(message="maxResults must be between 1 and 100.")
    return value


def _encode_token(operation: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"op": operation, "offset": offset}).encode()).decode()


def _decode_token(operation: str, query: Query) -> int:
    raw = query.get("nextToken", [None])[0]
    if raw is None:
        return 0
    try:
        token = json.loads(base64.urlsafe_b64decode(raw.encode()))
        if token["op"] == operation and isinstance(token["offset"], int) and token["offset"] >= 0:
            return int(token["offset"])
    except (ValueError, KeyError, TypeError):
        pass
    raise InvalidParameterException(message="The nextToken is not valid.")
