"""The reference `rules.automaton` is tested against: the Aho-Corasick
automaton in pure Python the project scanned with before ahocorasick-rs,
tuned for "is any of these 10,000 words in this message".

States are plain dicts from a character to the next state, with the failure
transitions folded in (except the root's, which the scan falls back to), so
the scan does one dict lookup per character and never walks failure links.
A transition into a state where a needle ends leads to an `Output` instead of
a dict; the scan notices it when the next lookup fails (an Output has no
`get`), which keeps the per-character loop free of any test.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

State = dict[str, Any]


class Output(Generic[T]):
    """Where one or more needles end: their payloads, and the state to go on
    scanning from when none of them is accepted."""

    __slots__ = ("payloads", "state")

    def __init__(self, payloads: tuple[T, ...], state: State) -> None:
        self.payloads = payloads
        self.state = state


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    payloads: list[Any] = field(default_factory=list)
    fail: _Node | None = None


class Automaton(Generic[T]):
    def __init__(self, needles: Iterable[tuple[str, T]]) -> None:
        root = _Node()
        for needle, payload in needles:
            if not needle:
                raise ValueError("empty needle")
            node = root
            for ch in needle:
                child = node.children.get(ch)
                if child is None:
                    child = node.children[ch] = _Node()
                node = child
            node.payloads.append(payload)
        self.root: State = self._compile(root)

    @staticmethod
    def _compile(root: _Node) -> State:
        # Breadth first: a node's failure target is shallower, so its
        # payloads and transitions are complete before the node needs them.
        order: list[_Node] = []
        queue = deque([root])
        while queue:
            node = queue.popleft()
            order.append(node)
            for ch, child in node.children.items():
                fail = node.fail
                while fail is not None and ch not in fail.children:
                    fail = fail.fail
                child.fail = fail.children[ch] if fail is not None else root
                child.payloads = child.payloads + child.fail.payloads
                queue.append(child)

        states: dict[int, State] = {id(n): {} for n in order}
        targets: dict[int, State | Output[Any]] = {
            id(n): Output(tuple(n.payloads), states[id(n)]) if n.payloads else states[id(n)]
            for n in order
        }
        for node in order:
            state = states[id(node)]
            fail = node.fail
            if fail is not None and fail is not root:
                state.update(states[id(fail)])
            for ch, child in node.children.items():
                state[ch] = targets[id(child)]
        return states[id(root)]

    def find(self, text: str, accept: Callable[[T], bool]) -> T | None:
        """The first payload, in text order, whose needle occurs in `text` and
        that `accept` takes; None when there is none."""
        root = self.root
        step = root.get
        state: Any = root
        chars = iter(text)
        ch = ""
        while True:
            try:
                for ch in chars:
                    state = state.get(ch) or step(ch, root)
            except AttributeError:
                # `state` is an Output: a needle ended on the character
                # before `ch`, which is still to be read.
                out: Output[T] = state
                found = _accepted(out, accept)
                if found is not None:
                    return found
                state = out.state.get(ch) or step(ch, root)
                continue
            break
        last: State | Output[T] = state
        if isinstance(last, Output):
            return _accepted(last, accept)
        return None


def _accepted(out: Output[T], accept: Callable[[T], bool]) -> T | None:
    for payload in out.payloads:
        if accept(payload):
            return payload
    return None
