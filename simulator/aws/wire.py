"""Requests and responses as the services put them on the wire.

The botocore client serialises each request in its service's protocol (`json` 1.1 for
Rekognition and SageMaker; for Comprehend, whose model offers `smithy-rpc-v2-cbor` and
`json`, the first of botocore's own priority order, its `resolved_protocol`: `json` in
1.44.18; `rest-json` for Lookout for Vision and the Neptune data API); this module
reads it back into the members the control plane validates, and writes the answer as the
service would, so botocore parses it into its output members or raises its `ClientError`.

Both directions reuse botocore's own codecs the other way round, since the shapes' rules are
symmetric: a request body is read with the protocol's *response parser* (which knows member
names, timestamps and CBOR), and a response body is written with the protocol's *request
serialiser*. What is only in requests (URI labels, query strings) is read here from the
operation's `requestUri` and members.

Timestamps: a service answers in simulated seconds since the scenario's start; on the wire
they are moments (`epoch` + seconds), and a moment in a request becomes simulated seconds.

Errors (ASSUMED where the services' pages do not show the bytes): `json` puts the code in
the body's `__type`, `rest-json` in the `x-amzn-ErrorType` header too, CBOR in its map's
`__type`; every error body has its `message`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

from botocore import parsers, serialize
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict
from botocore.model import OperationModel, Shape, ShapeResolver, StructureShape

CONTENT_TYPES = {
    "json": "application/x-amz-json-1.1",
    "rest-json": "application/json",
    "smithy-rpc-v2-cbor": "application/cbor",
    "query": "text/xml",
    "rest-xml": "application/xml",
    "ec2": "text/xml",
}


def protocol_of(request: AWSPreparedRequest, operation: OperationModel) -> str:
    """The protocol the client used: botocore picks the first its version supports
    (`resolved_protocol`; `protocol` is only the model's first). Header values are bytes
    once botocore has prepared the request."""
    if request.headers.get("smithy-protocol") in ("rpc-v2-cbor", b"rpc-v2-cbor"):
        return "smithy-rpc-v2-cbor"
    return str(operation.service_model.resolved_protocol)


# -- requests ---------------------------------------------------------------------------


def decode(request: AWSPreparedRequest, operation: OperationModel, epoch: float) -> dict[str, Any]:
    """The request's members, named as the operation's input shape names them."""
    shape = operation.input_shape
    if shape is None:
        return {}
    protocol = protocol_of(request, operation)
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    parser = _parser(protocol)
    members: dict[str, Any] = {}
    if protocol == "rest-json":
        members.update(_uri_members(request, operation, shape))
    # a prepared request's header values are bytes; a response's, which the parser reads, text
    headers = HeadersDict(
        {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
    )
    parsed = parser.parse({"body": body, "headers": headers, "status_code": 200}, shape)
    parsed.pop("ResponseMetadata", None)
    members.update(parsed)
    decoded: dict[str, Any] = _from_wire(members, shape, epoch)
    return decoded


@cache
def _parser(protocol: str) -> parsers.ResponseParser:
    return parsers.create_parser(protocol)


@cache
def _uri_template(request_uri: str) -> re.Pattern[str]:
    path = request_uri.split("?", 1)[0]
    pattern = re.sub(
        r"\{(\w+)(\+?)\}",
        lambda m: f"(?P<{m[1]}>{'.+' if m[2] else '[^/]+'})",
        re.escape(path).replace(r"\{", "{").replace(r"\}", "}"),
    )
    return re.compile(f"^{pattern}$")


def _uri_members(
    request: AWSPreparedRequest, operation: OperationModel, shape: StructureShape
) -> dict[str, Any]:
    """Members a REST request carries in its path and query string."""
    url = urlsplit(request.url)
    labels = _uri_template(operation.http["requestUri"]).match(url.path)
    query = parse_qs(url.query, keep_blank_values=True)
    found: dict[str, Any] = {}
    for name, member in shape.members.items():
        location, wire_name = (
            member.serialization.get("location"),
            member.serialization.get("name", name),
        )
        if location == "uri" and labels is not None:
            found[name] = unquote(labels[wire_name])
        elif location == "querystring" and wire_name in query:
            values = query[wire_name]
            found[name] = (
                [_scalar(v, member.member) for v in values]
                if member.type_name == "list"
                else _scalar(values[0], member)
            )
    return found


def _scalar(text: str, shape: Shape) -> Any:
    if shape.type_name in ("integer", "long"):
        return int(text)
    if shape.type_name in ("float", "double"):
        return float(text)
    if shape.type_name == "boolean":
        return text == "true"
    return text


def _from_wire(value: Any, shape: Shape, epoch: float) -> Any:
    """Moments as simulated seconds, everything else as it is."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {
            k: _from_wire(v, members[k], epoch) if k in members else v for k, v in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_from_wire(v, shape.member, epoch) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _from_wire(v, shape.value, epoch) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, datetime):
        return value.timestamp() - epoch
    return value


# -- responses --------------------------------------------------------------------------


def _to_wire(value: Any, shape: Shape, epoch: float) -> Any:
    """Simulated seconds at timestamp members as moments; members the shape lacks left out
    (a service's answer may carry more than the operation declares)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        members = shape.members
        return {k: _to_wire(v, members[k], epoch) for k, v in value.items() if k in members}
    if kind == "list" and isinstance(value, list | tuple):
        return [_to_wire(v, shape.member, epoch) for v in value]
    if kind == "map" and isinstance(value, Mapping):
        return {k: _to_wire(v, shape.value, epoch) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, int | float):
        return datetime.fromtimestamp(epoch + value, UTC)
    return value


class _Writer(Protocol):
    def body(self, value: Mapping[str, Any], shape: StructureShape) -> bytes: ...


class _Body(serialize.JSONSerializer):
    def body(self, value: Mapping[str, Any], shape: StructureShape) -> bytes:
        serialized: dict[str, Any] = {}
        self._serialize(serialized, value, shape)
        return json.dumps(serialized).encode()


class _RestBody(serialize.RestJSONSerializer):
    def body(self, value: Mapping[str, Any], shape: StructureShape) -> bytes:
        body = {k: v for k, v in value.items() if "location" not in shape.members[k].serialization}
        return bytes(self._serialize_body_params(body, shape)) if body else b"{}"


class _CborBody(serialize.RpcV2CBORSerializer):
    def body(self, value: Mapping[str, Any], shape: StructureShape) -> bytes:
        return bytes(self._serialize_body_params(value, shape))


_WRITERS: dict[str, _Writer] = {
    "json": _Body(),
    "rest-json": _RestBody(),
    "smithy-rpc-v2-cbor": _CborBody(),
}


def _response(
    request: AWSPreparedRequest, protocol: str, status: int, body: bytes, headers: dict[str, str]
) -> AWSResponse:
    headers = {"Content-Type": CONTENT_TYPES[protocol], **headers}
    if protocol == "smithy-rpc-v2-cbor":
        headers["smithy-protocol"] = "rpc-v2-cbor"
    headers["Content-Length"] = str(len(body))
    response = AWSResponse(request.url, status, headers, None)
    response._content = body
    return response


def encode(
    request: AWSPreparedRequest,
    operation: OperationModel,
    status: int,
    answer: Mapping[str, Any],
    request_id: str,
    epoch: float,
) -> AWSResponse:
    """A success: `answer`'s output members, with the operation's HTTP status."""
    protocol = protocol_of(request, operation)
    shape = operation.output_shape
    body = b"{}" if protocol != "smithy-rpc-v2-cbor" else b"\xa0"  # an empty map
    if shape is not None:
        body = _WRITERS[protocol].body(_to_wire(answer, shape, epoch), shape)
    return _response(request, protocol, status, body, {"x-amzn-RequestId": request_id})


def encode_error(
    request: AWSPreparedRequest,
    protocol: str,
    status: int,
    code: str,
    message: str,
    request_id: str,
) -> AWSResponse:
    """An AWS error response botocore turns into a `ClientError` with `code`."""
    headers = {"x-amzn-RequestId": request_id}
    fields = {"__type": code, "message": message}
    if protocol == "rest-json":
        headers["x-amzn-ErrorType"] = code
    if protocol == "smithy-rpc-v2-cbor":
        body = _CBOR_MAP.body(fields, _ERROR_SHAPE)
    elif protocol in ("query", "rest-xml", "ec2"):  # another service's client: its format
        error = f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        wrapped = f"<Errors>{error}</Errors>" if protocol == "ec2" else error
        root = "Response" if protocol == "ec2" else "ErrorResponse"
        body = f"<{root}>{wrapped}<RequestId>{request_id}</RequestId></{root}>".encode()
    else:
        body = json.dumps(fields).encode()
    return _response(request, protocol, status, body, headers)


_ERROR_SHAPE = ShapeResolver(
    {
        "Error": {
            "type": "structure",
            "members": {"__type": {"shape": "S"}, "message": {"shape": "S"}},
        },
        "S": {"type": "string"},
    }
).get_shape_by_name("Error")
_CBOR_MAP = _CborBody()
