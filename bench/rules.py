"""Rule engine speed: a rule set of 10,000 blocklist entries, 50 regexes and
every other rule type, over a realistic mix of Chinese and English messages
(5-500 characters), beside a naive `any(word in text for word in words)` loop
over the same words in the same run.

    .venv/bin/python bench/rules.py [--messages 20000] [--entries 10000] [--regexes 50]

Prints the compile time and the median and p99 microseconds per message (all
messages, and those of about 100 characters), then the same for the rules of
`config.example.yaml`. Targets: median <= 20 µs for a 100-character message,
compile < 1 s. Not a test: figures go in notes. `BENCH_TREE=<checkout>`
measures that checkout's rule engine (an older commit, for before/after).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from pydantic import TypeAdapter  # noqa: E402

from rules.evaluate import RuleSet  # noqa: E402
from rules.message import MessageView  # noqa: E402
from rules.schema import Rule  # noqa: E402

START = 1_767_574_800.0  # 2026-01-05 09:00 in Shanghai


def _words(text: str) -> list[str]:
    return text.split()


ZH_WORDS = _words(
    """我们 今天 讨论 新能源 项目 融资 的 经验 欢迎 大家 分享 观点 储能 光伏 电池 市场
    这个 方案 其实 不错 但是 成本 还是 太高 了 有没有 人 做过 类似 的 测试 谢谢
    政策 补贴 明年 可能 会 调整 需要 关注 一下 客户 反馈 产品 质量 稳定 价格 合理
    请问 在 哪里 可以 找到 相关 资料 报告 下载 昨天 会议 纪要 发 到 群里 辛苦
    逆变器 组件 效率 提升 工厂 产能 订单 交付 周期 供应链 风险 投资人 估值 团队"""
)
ZH_PUNCT = ["，", "。", "！", "？", "：", "、", " ", "……"]
EN_WORDS = _words(
    """the a solar grid battery founders funding pitch deck market we should check
    this plan cost is still too high has anyone tested something similar thanks
    policy subsidy next year might change customer feedback product quality price
    where can i find the report meeting notes yesterday inverter module efficiency
    factory capacity orders delivery supply chain risk investors valuation team"""
)
SPAM_ZH = _words(
    """加 微 信 代 开 发 票 兼 职 日 结 刷 单 返 利 博 彩 贷 款 免 费 领 取 资 料 私 聊
    推 广 引 流 点 击 链 接 充 值 优 惠 彩 票 赌 场 裸 聊 约 炮 网 赚 理 财 高 回 报"""
)
SYLLABLES = _words("ka lo mi zu ter pex vin dor sal bri quo fen gal tru wex ni ro pa sh ch")
EMOJI = ["😀", "🔥", "👍", "🎉", "🚀", "💰", "❤️", "👨‍👩‍👧"]


def blocklist_words(rng: random.Random, n: int) -> list[str]:
    words: set[str] = set()
    while len(words) < n * 45 // 100:
        words.add("".join(rng.choice(SPAM_ZH) for _ in range(rng.randint(3, 6))))
    while len(words) < n * 90 // 100:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.1:
            word += " " + "".join(rng.choice(SYLLABLES) for _ in range(2))
        words.add(word)
    while len(words) < n:
        words.add(
            f"{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}.{rng.choice(['com', 'top', 'xyz'])}"
        )
    return sorted(words)


def regexes(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        word = "".join(rng.choice(SPAM_ZH) for _ in range(2))
        kind = i % 5
        if kind == 0:
            out.append(rf"re:{word}\s*[vV]\s*\d+")
        elif kind == 1:
            out.append(rf"re:\b{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}\w*coin\b")
        elif kind == 2:
            out.append(rf"re:(?:免费|低价){word}.{{0,5}}资料")
        elif kind == 3:
            out.append(rf"re:\d{{3,}}\s*{word}")
        else:
            # Most patterns have a literal every match contains; a few do not
            # and run on every message.
            out.append(r"re:\b[0-9a-z]{6,}@(?:qq|163)\.com" if i % 20 else r"re:\b[a-z]\d{5,}\b")
    return out


def rule_set(rng: random.Random, entries: int, n_regex: int) -> list[dict[str, Any]]:
    return [
        {"id": "ads", "type": "blocklist", "words": blocklist_words(rng, entries), "warn": True},
        {"id": "patterns", "type": "blocklist", "words": regexes(rng, n_regex)},
        {"id": "links", "type": "links", "allow": ["github.com"], "phones": True, "handles": True},
        {"id": "flood", "type": "flood", "max": 5, "per": "10s"},
        {"id": "repeats", "type": "duplicates", "raid": {"members": 3, "per": "10m"}},
        {"id": "caps", "type": "caps"},
        {"id": "mentions", "type": "mentions", "max": 5},
        {"id": "emoji", "type": "emoji", "max": 10, "max_ratio": 0.6},
        {"id": "forwards", "type": "forwards", "from": ["channel"]},
        {"id": "media", "type": "media", "deny": ["sticker", "voice"]},
        {"id": "length", "type": "length", "max": 2000, "max_lines": 40},
        {"id": "newcomers", "type": "probation", "messages": 3, "within": "24h"},
        {"id": "night", "type": "night_mode", "from": "01:00", "to": "06:00", "only": ["media"]},
        {"id": "slow", "type": "slow_mode", "every": "2s"},
    ]


def sentence(rng: random.Random, length: int, blocked: list[str]) -> str:
    roll = rng.random()
    parts: list[str] = []
    size = 0
    while size < length:
        if roll < 0.55:
            piece = rng.choice(ZH_WORDS) + (rng.choice(ZH_PUNCT) if rng.random() < 0.2 else "")
        elif roll < 0.85:
            piece = rng.choice(EN_WORDS) + " "
        else:
            piece = rng.choice(ZH_WORDS if rng.random() < 0.5 else EN_WORDS) + " "
        if rng.random() < 0.01:
            piece += rng.choice(EMOJI)
        parts.append(piece)
        size += len(piece)
    text = "".join(parts)[:length].strip() or "好"
    extra = rng.random()
    if extra < 0.03:
        text += " https://example.com/x" if extra < 0.015 else " https://github.com/a/b"
    elif extra < 0.05:
        # A listed entry, half of the time spread out to dodge the filter.
        word = rng.choice(blocked)
        text = (" ".join(word) if rng.random() < 0.5 else word) + " " + text
    elif extra < 0.06:
        text = text.upper()
    elif extra < 0.07:
        text = "@alice_w @bob_x " + text
    return text


def messages(rng: random.Random, n: int, blocked: list[str]) -> list[tuple[str, str, str, float]]:
    out = []
    for i in range(n):
        length = round(5 * 100 ** rng.random())  # log-uniform 5..500
        out.append(
            (
                sentence(rng, length, blocked),
                f"telegram:-100{rng.randrange(10)}",
                f"telegram:{rng.randrange(2000)}",
                START + i * 0.5,
            )
        )
    return out


def timed(
    fn: Callable[[str, str, str, float], object], msgs: list[tuple[str, str, str, float]]
) -> list[float]:
    out = []
    clock = time.perf_counter_ns
    for text, group, sender, at in msgs:
        t0 = clock()
        fn(text, group, sender, at)
        out.append((clock() - t0) / 1000)
    return out


def summary(name: str, times: list[float], lengths: list[int]) -> str:
    near_100 = [t for t, n in zip(times, lengths, strict=True) if 90 <= n <= 110]
    q = statistics.quantiles(times, n=100)
    q100 = statistics.quantiles(near_100, n=100) if len(near_100) > 100 else [0.0] * 99
    return (
        f"  {name:<26} all: median {statistics.median(times):7.1f} µs  p99 {q[98]:8.1f} µs   "
        f"~100 chars: median {statistics.median(near_100):7.1f} µs  p99 {q100[98]:8.1f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--regexes", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(5)
    raw = rule_set(rng, args.entries, args.regexes)

    t0 = time.perf_counter()
    rules = TypeAdapter(list[Rule]).validate_python(raw)
    t_validate = time.perf_counter() - t0
    t0 = time.perf_counter()
    ruleset = RuleSet(rules, timezone="Asia/Shanghai")
    t_compile = time.perf_counter() - t0

    words = raw[0]["words"]
    msgs = messages(rng, args.messages, words)
    lengths = [len(m[0]) for m in msgs]

    def evaluate(text: str, group: str, sender: str, at: float) -> object:
        view = MessageView(text, group, sender, at, message_count=10, member_age=1e6)
        return ruleset.evaluate(view)

    def naive(text: str, group: str, sender: str, at: float) -> object:
        return any(w in text for w in words)

    # Warm up, then measure both on the same messages in the same run.
    timed(evaluate, msgs[:500])
    ruleset = RuleSet(rules, timezone="Asia/Shanghai")
    t_rules = timed(evaluate, msgs)
    t_naive = timed(naive, msgs)
    fired: dict[str, int] = {}
    check = RuleSet(rules, timezone="Asia/Shanghai")
    for text, group, sender, at in msgs:
        verdict = check.evaluate(
            MessageView(text, group, sender, at, message_count=10, member_age=1e6)
        )
        if verdict.rule is not None:
            fired[verdict.rule.id] = fired.get(verdict.rule.id, 0) + 1

    print(
        f"rules: {args.entries:,} blocklist entries, {args.regexes} regexes, "
        f"{len(rules)} rules; {len(msgs):,} messages, 5-500 characters "
        f"(median {statistics.median(lengths):.0f})"
    )
    print(f"  validate (pydantic): {t_validate * 1000:8.1f} ms")
    print(f"  compile (RuleSet):   {t_compile * 1000:8.1f} ms")
    print(summary("RuleSet.evaluate", t_rules, lengths))
    print(summary("naive any(w in text)", t_naive, lengths))
    print(f"  fired: {dict(sorted(fired.items()))}")
    example = TypeAdapter(list[Rule]).validate_python(
        yaml.safe_load((ROOT / "config.example.yaml").read_text(encoding="utf-8"))["rules"]
    )
    ruleset = RuleSet(example, timezone="Asia/Shanghai")
    timed(evaluate, msgs[:500])
    ruleset = RuleSet(example, timezone="Asia/Shanghai")
    print(summary(f"example rules ({len(example)})", timed(evaluate, msgs), lengths))
    # A fixed pure-Python workload, to compare figures across machines.
    reference = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6
    print(f"  machine: sum(range(1000)) takes {reference:.1f} µs here")


if __name__ == "__main__":
    main()
