"""The ordinary days: every human, service and agent of the cast, one UTC day at a time."""

from __future__ import annotations

import datetime as dt

from ._util import DAY, HOUR, NS
from .agents import agents_day
from .context import INCIDENT_DAY, PERIOD_START, STORY_HUMAN, Ctx
from .people import human_day
from .services import DEPLOYS, backup_night, ci_run, cluster_system, kms_rotation, nodes, report_lambda


def is_weekday(day: int) -> bool:
    return dt.datetime.fromtimestamp(day // NS, dt.UTC).weekday() < 5


def background_day(ctx: Ctx, day: int) -> None:
    weekday = is_weekday(day)
    first = day == PERIOD_START
    for h in ctx.cast.humans.values():
        if day == INCIDENT_DAY and h.id == STORY_HUMAN:
            continue  # the story signs him in that day (and he only uses Okta apps)
        human_day(ctx, h, day, weekday, first)
    agents_day(ctx, day, weekday)
    backup_night(ctx, day)
    report_lambda(ctx, day)
    nodes(ctx, day)
    cluster_system(ctx, day)
    if first:  # every deployable repo ships once on day one
        for i, repo in enumerate(sorted(DEPLOYS)):
            ci_run(ctx, ctx.ids("ci-first", repo), day + (15 + i) * HOUR, repo, ctx.cast.humans["carol"])
    if day == PERIOD_START + 3 * DAY:
        kms_rotation(ctx, day + 4 * HOUR + 1_234 * 10**9)
