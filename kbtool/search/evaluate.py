"""Search-quality regression: real caller phrasings with the procedure each should find.

A JSON-lines file, one case a line: `{"query": "outlook stuck loading", "target": "KB-0042"}`;
the target is an id or a path relative to the procedures folder. Reported: MRR@10 (the mean of
1/rank of the target, 0 when it is not in the top 10), recall@1/5/10, and the cases that missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbtool.core import jsontext
from kbtool.core.errors import KbtoolError, UsageError
from kbtool.core.fileio import read_regular_text
from kbtool.search.searcher import KbSearcher

DEPTH = 10
#: Far above any regression set (about 100 bytes a case): a bound on what is read.
MAX_EVAL_BYTES = 64 * 1024 * 1024
RECALL_AT = (1, 5, 10)


@dataclass(frozen=True)
class Case:
    query: str
    target: str
    line: int


@dataclass(frozen=True)
class Outcome:
    case: Case
    rank: int | None  # 1-based rank of the target in the top DEPTH, None when missing
    top: str | None  # what came first instead (id or path)


@dataclass(frozen=True)
class EvalReport:
    outcomes: list[Outcome]

    @property
    def count(self) -> int:
        return len(self.outcomes)

    @property
    def mrr(self) -> float:
        if not self.outcomes:
            return 0.0
        return sum(1.0 / o.rank for o in self.outcomes if o.rank) / len(self.outcomes)

    def recall(self, k: int) -> float:
        if not self.outcomes:
            return 0.0
        return sum(1 for o in self.outcomes if o.rank and o.rank <= k) / len(self.outcomes)

    @property
    def misses(self) -> list[Outcome]:
        """Cases whose target was not in the top DEPTH."""
        return [o for o in self.outcomes if o.rank is None]

    def as_json(self) -> dict[str, Any]:
        return {
            "queries": self.count,
            "mrr@10": round(self.mrr, 4),
            **{f"recall@{k}": round(self.recall(k), 4) for k in RECALL_AT},
            "misses": [
                {"line": o.case.line, "query": o.case.query, "target": o.case.target, "top": o.top}
                for o in self.misses
            ],
        }


def load_cases(path: Path) -> list[Case]:
    """Read the cases; a bad line is an error naming the file and the line."""
    try:  # never a pipe (opening one blocks) nor a device, and bounded
        text = read_regular_text(path, MAX_EVAL_BYTES)
    except FileNotFoundError:
        raise UsageError("evaluation file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the evaluation file: {exc}", path=str(path)) from None
    cases: list[Case] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            record = jsontext.loads(line)
        except jsontext.BadJson as exc:
            raise KbtoolError(
                f"not valid JSON: {exc.message}", path=str(path), line=number
            ) from None
        if not isinstance(record, dict):
            raise KbtoolError("each line must be a JSON object", path=str(path), line=number)
        query, target = record.get("query"), record.get("target")
        if not isinstance(query, str) or not query.strip():
            raise KbtoolError('"query" must be a non-empty string', path=str(path), line=number)
        if not isinstance(target, str) or not target.strip():
            raise KbtoolError(
                '"target" must be a procedure id or path', path=str(path), line=number
            )
        cases.append(Case(query, target.strip(), number))
    if not cases:
        raise UsageError("the evaluation file has no cases", path=str(path))
    return cases


def _matches(target: str, hit_id: str | None, hit_path: str) -> bool:
    wanted = target.replace("\\", "/").removeprefix("./")
    if hit_id is not None and hit_id.lower() == wanted.lower():
        return True
    return hit_path == wanted or hit_path == wanted + ".md"


def evaluate(searcher: KbSearcher, cases: list[Case]) -> EvalReport:
    """Search every case (all statuses, no filters) and rank its target."""
    outcomes: list[Outcome] = []
    for case in cases:
        response = searcher.search(case.query, limit=DEPTH, include_retired=True)
        rank = None
        for position, hit in enumerate(response.results, 1):
            if _matches(case.target, hit.id, hit.path):
                rank = position
                break
        top = None
        if response.results:
            first = response.results[0]
            top = first.id or first.path
        outcomes.append(Outcome(case, rank, top))
    return EvalReport(outcomes)
