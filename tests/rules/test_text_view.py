"""The one text view of a message: each form is computed once, whoever asks
first, and the pieces the spam detector's tokenizer needs are there."""

from __future__ import annotations

from rules.blocklist import Blocklist
from rules.message import MessageView


def view(text: str) -> MessageView:
    return MessageView(text, "telegram:-1", "telegram:1", 0.0)


def test_hosts_handles_phones_and_digit_shapes() -> None:
    v = view("日赚3000 see https://www.Example.com/x and example.com, @alice_w 138-1234-5678")
    assert v.hosts == ("example.com",)
    assert v.handles == ("alice_w",)
    assert v.phones == ("138-1234-5678",)
    assert v.digit_shapes == {"#n4", "#n3"}
    assert view("日赚5000").digit_shapes == view("日赚3000").digit_shapes == {"#n4"}
    assert view("数字 1234567890123").digit_shapes == {"#n8"}
    assert view("没有数字").digit_shapes == frozenset()
    assert view("没有链接").hosts == ()


def test_each_form_is_computed_once_and_shared() -> None:
    v = view("加 微 信 W.E.C.H.A.T")
    assert v.folded is v.folded and v.squashed is v.squashed and v.words is v.words
    words = Blocklist([["wechat"], ["加微信"]])
    calls = []

    def search(m: MessageView) -> object:
        calls.append(1)
        return words.search(m)

    first = v.memo(words, search)
    assert v.memo(words, search) is first and len(calls) == 1
    assert [m.entry if m else None for m in words.search(v)] == ["wechat", "加微信"]
