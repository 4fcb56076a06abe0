"""`/why`: a moderator asks which rule acted on a message, on what, and
under which case number.

Given as a reply to the member's message (deleted or not) or to the bot's
notice about it, or with a case number (`/why 12`). Explanations of recent
actions are in memory (`bot.core.explanations`); an older case is read back from
the store, with what it recorded.
"""

from __future__ import annotations

from bot.core.actions import Action
from bot.core.arguments import ident
from bot.core.commands import Context, Registry
from bot.core.directory import display
from bot.core.explanations import Explanation
from bot.core.records import CaseRecord
from bot.features.moderation.cases import Moderation
from bot.features.moderation.verdicts import found

commands: Registry[Moderation] = Registry()


@commands.add("why", staff=True, scope="group", menu=True)
async def why(ctx: Context, cases: Moderation) -> list[Action]:
    explanations = ctx.kit.explanations
    ev = ctx.event
    if ev.args:
        case_id = ident(ev.args[0])
        found = explanations.for_case(case_id)
        if found is not None:
            return [ctx.say(_explain(ctx, found))]
        case = cases.recent_cases.get(case_id)
        if case is None:
            case = await ctx.kit.store.case(ctx.kit.config.community.slug, case_id)
        if case is None:
            return [ctx.reply("why.no_such_case", case=case_id)]
        return [ctx.say(_explain_case(ctx, case))]
    reply = ev.reply_to
    if reply is None:
        return [ctx.reply("why.usage")]
    found = explanations.for_message(ev.chat.key, reply.message_id, reply.text)
    if found is None:
        return [ctx.say(ctx.text("why.unknown") + "\n" + ctx.text("why.usage"))]
    return [ctx.say(_explain(ctx, found))]


def _name(ctx: Context, member_key: str) -> str:
    member = ctx.kit.directory.members.get(member_key)
    return display(member) if member is not None else member_key


def _explain(ctx: Context, e: Explanation) -> str:
    loc = ctx.locale
    name = _name(ctx, e.member)
    action = ctx.text(f"verbs.{e.action}" if e.dry_run else f"actions.{e.action}")
    lines = [
        ctx.text("why.case", case=e.case_id) if e.case_id is not None else ctx.text("why.no_case"),
        ctx.text("why.rule", rule=e.rule, type=e.rule_type),
        ctx.text("why.would" if e.dry_run else "why.action", action=action, name=name),
        ctx.text("why.reason", details=found(e.result, loc)),
        ctx.text("why.text", text=e.text),
    ]
    if e.others:
        others = ", ".join(f"{r.rule} ({found(r, loc)})" for r in e.others)
        lines.append(ctx.text("why.also", rules=others))
    return "\n".join(lines)


def _explain_case(ctx: Context, case: CaseRecord) -> str:
    lines = [
        ctx.text("why.case", case=case.id),
        ctx.text(
            "why.action",
            action=ctx.text(f"actions.{case.action}"),
            name=_name(ctx, case.member_key),
        ),
    ]
    if case.rule:
        lines.append(ctx.text("why.rule_only", rule=case.rule))
    if case.details or case.reason:
        lines.append(ctx.text("why.reason", details=case.details or case.reason))
    if case.message_text:
        lines.append(ctx.text("why.text", text=case.message_text[:500]))
    return "\n".join(lines)
