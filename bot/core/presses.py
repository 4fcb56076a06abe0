"""Who sees the answer to a press.

A press on one of the bot's buttons issues its command as the member who
pressed, so it answers to the same permissions and replies as the command
typed. Only who sees the reply differs: the presser
always, privately; a member's reply (a refusal, mostly) is theirs alone,
while a moderator's is posted too, for the other moderators, as their typed
command's reply would be.
"""

from __future__ import annotations

from bot.core.actions import Action, AnswerPress, SendMessage
from bot.core.events import CommandIssued


def answer_press(event: CommandIssued, staff: bool, actions: list[Action]) -> list[Action]:
    """The command's actions with the press answered first. Its replies (in
    the press's chat, to the pressed message) become the presser's private
    answer, an alert for a member; a moderator's stay posted as well."""
    if event.press is None:
        return actions
    replies = [
        a
        for a in actions
        if isinstance(a, SendMessage) and a.chat == event.chat and a.reply_to == event.message_id
    ]
    text = "\n".join(r.text for r in replies)
    answer = AnswerPress(event.chat, event.press, text, alert=bool(text) and not staff)
    if not staff:
        actions = [a for a in actions if not any(a is r for r in replies)]
    return [answer, *actions]
