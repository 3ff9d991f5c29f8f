"""The Bedrock fake's `ConverseStream`: a Converse response as AWS event-stream messages.

Each message is the binary framing botocore parses (`application/vnd.amazon.eventstream`):
a prelude (total length, headers length, CRC32), string headers (`:event-type`,
`:content-type`, `:message-type`), a JSON payload and a CRC32 of the whole message. The
events follow Bedrock's order: messageStart, then per content block its start (a tool use),
deltas and stop, then messageStop and metadata (usage and metrics).
"""

from __future__ import annotations

import binascii
import json
import struct
from typing import Any


def frame(event_type: str, payload: dict[str, Any]) -> bytes:
    """One event-stream message carrying `payload` as the event `event_type`."""
    headers = b"".join(_header(name, value) for name, value in (
        (":event-type", event_type), (":content-type", "application/json"),
        (":message-type", "event")))
    body = json.dumps(payload).encode()
    total = 12 + len(headers) + len(body) + 4
    prelude = struct.pack(">II", total, len(headers))
    head = prelude + struct.pack(">I", binascii.crc32(prelude))
    message = head + headers + body
    return message + struct.pack(">I", binascii.crc32(message))


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return (bytes([len(raw_name)]) + raw_name + b"\x07"
            + struct.pack(">H", len(raw_value)) + raw_value)


def first_event() -> bytes:
    """What the model sends once its prefill is over (the prompt, cache write included)."""
    return frame("messageStart", {"role": "assistant"})


def rest_events(response: dict[str, Any]) -> bytes:
    """Everything after messageStart for a Converse `response` body, as one byte string."""
    out = []
    for index, block in enumerate(response["output"]["message"]["content"]):
        if "toolUse" in block:
            use = block["toolUse"]
            out.append(frame("contentBlockStart", {"contentBlockIndex": index, "start": {
                "toolUse": {"toolUseId": use["toolUseId"], "name": use["name"]}}}))
            delta: dict[str, Any] = {"toolUse": {"input": json.dumps(use["input"])}}
        else:
            delta = {"text": block.get("text", "")}
        out.append(frame("contentBlockDelta", {"contentBlockIndex": index, "delta": delta}))
        out.append(frame("contentBlockStop", {"contentBlockIndex": index}))
    out.append(frame("messageStop", {"stopReason": response["stopReason"]}))
    out.append(frame("metadata", {"usage": response["usage"], "metrics": response["metrics"]}))
    return b"".join(out)
