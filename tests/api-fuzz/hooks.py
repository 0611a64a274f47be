"""Schemathesis hooks: make generated requests reach real objects.

Random ids only ever reach the "404 not found" branch of every handler.
These hooks swap most generated ids for the ids of real objects created by
`api_fuzz.py` (a team, a channel, a playbook, a run in progress), passed in
the environment, so the handlers' deeper code runs too. Some generated
values are kept as they are, so the unknown-id paths stay covered.
"""

import os
import zlib

import schemathesis

IDS = {
    "team": os.environ.get("API_FUZZ_TEAM_ID", ""),
    "channel": os.environ.get("API_FUZZ_CHANNEL_ID", ""),
    "run_channel": os.environ.get("API_FUZZ_RUN_CHANNEL_ID", ""),
    "playbook": os.environ.get("API_FUZZ_PLAYBOOK_ID", ""),
    "run": os.environ.get("API_FUZZ_RUN_ID", ""),
    "user": os.environ.get("API_FUZZ_USER_ID", ""),
}


def keep_generated(value) -> bool:
    """About one in five generated values stays (deterministic per value,
    so a failing case replays the same way)."""
    return zlib.crc32(repr(value).encode()) % 5 == 0


def real_id(name: str, path: str):
    """The real id a parameter called `name` of `path` should hold."""
    if name == "id":
        return IDS["playbook"] if path.startswith("/playbooks") else IDS["run"]
    return {
        "channel_id": IDS["run_channel"],
        "team_id": IDS["team"],
        "playbook_id": IDS["playbook"],
        "owner_user_id": IDS["user"],
        "owner_id": IDS["user"],
        "participant_id": IDS["user"],
        "assignee_id": IDS["user"],
    }.get(name)


def swap(ctx, values):
    if not values:
        return values
    path = ctx.operation.path
    for name, value in list(values.items()):
        if keep_generated(value):
            continue
        if name in ("checklist", "item") and isinstance(value, int):
            values[name] = value % 3
            continue
        real = real_id(name, path)
        if real:
            values[name] = real
    return values


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    return swap(ctx, path_parameters)


@schemathesis.hook
def map_query(ctx, query):
    return swap(ctx, query)


@schemathesis.hook
def map_body(ctx, body):
    if isinstance(body, dict):
        return swap(ctx, body)
    return body
