"""Searching the index: what a Level 1 agent types → the right procedure first.

How a query is answered:

1. Ids and error codes are matched exactly first (`KB-0042`, `0x8004010F`, also when read out
   in pieces: `8004 010F`); such matches head the results.
2. The words are analysed like the documents (stemming, identifier splitting), and the
   knowledge base's synonyms add what the procedures call the same thing. Adjacent words are
   also tried joined (`log in` → `login`), and so are pieces of a code read out (`5 7 23`
   meets `5.7.23` in a procedure's text, where no `error_codes` declare it).
3. A word that is in no procedure is corrected to the nearest word that is (edit distance 1–2,
   the most frequent wins; `spelling.Speller` over the word list stored with the index), and
   the response says so ("showing results for …").
4. A word repeated in the query counts more (BM25's query-term frequency, saturating).
5. Long queries keep their most distinctive terms (by document frequency): the common ones
   barely move the ranking but cost most of the time.
6. A pasted text (an alert, a ticket) says what it is about first: a term weighs less the
   later it is first said (`tuning.Tuning.position_decay`).
7. BM25F over the weighted `text` field (see `schema`), ranked by `ranking.TextRanker`, with a
   milder length normalisation for a query of a few words (`tuning.Tuning.short_b`); the
   best of them re-ranked by how much of each title the query says (`_title_covered`), so a
   short specific page the text names is not crowded out by long generic ones.

One Whoosh searcher stays open for the life of a `KbSearcher`, so repeated searches (the
benchmark, `kbtool eval`) do not pay for opening the index, and the postings they decode are
kept (`TextRanker.impacts`). A hit's snippet is made when it is first read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import math
import re
import zlib
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring

from kbtool.core.errors import AmbiguousIdError, KbtoolError, NotFoundError
from kbtool.model.config import Config
from kbtool.model.procedure import Procedure
from kbtool.model.review import ownership, review_state
from kbtool.model.roster import Roster, load_roster
from kbtool.search import store, tuning, whoosh_patches
from kbtool.search.analysis import (
    MAX_WORD,
    STOP_WORDS,
    WORD,
    analyse_query,
    code_runs,
    exact_key,
    exact_matches,
    query_terms,
    terms_of,
)
from kbtool.search.indexer import build_index, check_generation, stale_reason
from kbtool.search.ranking import CACHE_POSTINGS, Ranked, TextRanker
from kbtool.search.schema import SCHEMA_VERSION, path_key, path_of_key
from kbtool.search.snippet import SnippetSource, snippet, unpack
from kbtool.search.spelling import Speller, edit_distance
from kbtool.search.synonyms import Synonyms, load_synonyms

whoosh_patches.apply()

#: Longer queries are cut here (a pasted e-mail is not a symptom).
MAX_QUERY_CHARS = 1000
# The ranking's numbers are in `tuning.Tuning`: query terms kept (`max_terms`, the most
# distinctive first); the weights of a synonym, a correction, joined neighbours and a code
# read in pieces (a joined run stands for at least two words the caller said); BM25's k3
# (`qtf_k3`: how fast a repeated query word stops counting more, Okapi's usual 7-8; a word
# said twice counts 1.8 times); BM25F's b and k1 (tuned on caller phrasings, see
# benchmarks/search_bench.py).
#: Procedures whose snippet source a searcher keeps (a server's searcher lives long: the
#: procedures it shows most are not unpacked and searched again for every query).
SNIPPET_SOURCES = 4096
#: The most query terms a snippet looks for (the most distinctive; a short query has fewer).
SNIPPET_TERMS = 8

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class SearchHit:
    """One result. `owner` is the acting owner when the owner is away or has left."""

    id: str | None
    path: str  # relative to the procedures folder, forward slashes
    title: str
    summary: str | None
    score: float
    snippet: str
    owner: str | None
    overdue: bool
    exact: bool = False  # matched by id or error code
    service: str | None = None
    status: str = "published"
    orphaned: bool = False
    #: Who answers for it and why (see `review.ownership`): `owner` above is the acting owner
    #: when the recorded owner is away or has left.
    recorded_owner: str | None = None
    backup: str | None = None
    orphan_reason: str | None = None
    owner_name: str | None = None  # the roster's name for `owner`
    review_status: str | None = None  # `review.ReviewStatus` value
    #: A retired procedure's replacement: (id, title), the title None when no procedure has it.
    replaced_by: tuple[str, str | None] | None = None

    def as_json(self) -> dict[str, Any]:
        """The shape of `kbtool search --json` (PRODUCT.md)."""
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "summary": self.summary,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "owner": self.owner,
            "overdue": self.overdue,
        }


class _MadeWhenRead:
    """`SearchHit.snippet`: a string, or a function that makes it, called on first read.

    The snippet reads the procedure's file; making it only when it is read means a caller
    that only ranks (`kbtool eval`, a benchmark) does not pay for it, while `kbtool search`,
    which shows every snippet, pays exactly what it did before.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}_value"

    def __get__(self, hit: Any, owner: type | None = None) -> Any:
        if hit is None:
            return self
        value = hit.__dict__[self._slot]
        if callable(value):
            value = value()
            hit.__dict__[self._slot] = value
        return value

    def __set__(self, hit: Any, value: str | Callable[[], str]) -> None:
        hit.__dict__[self._slot] = value


_snippet_attribute = _MadeWhenRead()
_snippet_attribute.__set_name__(SearchHit, "snippet")
SearchHit.snippet = _snippet_attribute  # type: ignore[assignment]  # after @dataclass: see above


@dataclass(frozen=True)
class SearchResponse:
    """The answer to one query. `corrected_query` is set when typos were corrected."""

    query: str
    corrected_query: str | None
    did_you_mean: list[str]
    results: list[SearchHit]
    total: int
    notes: tuple[str, ...] = field(default=())
    #: When nothing matched because retired procedures are hidden: the retired ones that do.
    retired_matches: tuple[SearchHit, ...] = field(default=())
    #: Each corrected word as typed and the word searched for instead.
    corrections: tuple[tuple[str, str], ...] = field(default=())
    #: The best result meets little of what the query says (`WEAK_SHARE`): the nearest one.
    weak: bool = False
    #: When the filters left nothing: how many procedures match without them.
    outside_filters: int = 0
    #: Filter values no procedure has (an owner who is not in the roster...), said as such.
    filter_problems: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """The JSON of `kbtool search --json` and the web API (`response.search_json`)."""
        from kbtool.search.response import search_json

        return search_json(self)


#: One way a procedure meets one word of the query: every group holds a term the procedure has
#: (the word's own terms; its correction; a synonym, each of whose words must be there).
_Alternative = tuple[frozenset[str], ...]

#: The best result is weak when it meets less than this share of the query's words, weighted
#: by idf. Measured on the regression set and the three benchmark corpora: below 0.2 no result
#: that was the right one is marked; above it, some are (see benchmarks/README.md).
WEAK_SHARE = 0.2


@dataclass
class _Plan:
    """A query, analysed: weighted terms and what was done to get them."""

    terms: dict[str, float]
    corrections: dict[str, str]  # word as typed -> correction shown
    exact_keys: list[str]
    notes: list[str]
    #: Per word of the query (stop words aside), the ways a procedure meets it.
    concepts: list[list[_Alternative]] = field(default_factory=list)
    #: The terms a snippet looks for (`KbSearcher._snippet_terms`), made at the first hit.
    snippet_terms: set[str] | None = None

    @property
    def partial(self) -> bool:
        """Some way of meeting a word needs several words (a synonym such as `remote
        access`): a procedure holding a term of it may still meet no word of the query."""
        return any(len(alt) > 1 for alternatives in self.concepts for alt in alternatives)


class KbSearcher:
    """An open index and everything a search needs; use as a context manager."""

    def __init__(
        self,
        config: Config,
        ix: Any,
        generation: Path,
        *,
        today: dt.date | None = None,
        notes: list[str] | None = None,
        vectorised: bool = False,
    ) -> None:
        self.config = config
        self.today = today or dt.date.today()
        self.notes: list[str] = list(notes or [])
        self._ix = ix
        self._generation = generation
        self.tuning = tuning.active()
        b, k1 = self.tuning.bm25_b, self.tuning.bm25_k1
        self._searcher = ix.searcher(weighting=scoring.BM25F(B=b, K1=k1))
        self._reader = self._searcher.reader()
        try:
            self._reader.field_length("text")  # a damaged index fails here, not mid-search
            problem = check_generation(self._searcher, generation)
        except BaseException:
            self._searcher.close()
            raise
        if problem is not None:
            self._searcher.close()
            raise _DamagedIndex(problem)
        self._ranker = TextRanker(self._searcher, b=b, k1=k1, vectorised=vectorised)
        self._vectorised = vectorised
        self._short_ranker: TextRanker | None = None
        self._retired_docs: frozenset[int] | None = None
        self._vocab: dict[str, list[str]] | None = None
        self._dfs: dict[str, int] = {}
        self._titles: dict[int, frozenset[str]] = {}
        self._keys: frozenset[str] | None = None
        self._spell: Speller | None = None
        self._sources: OrderedDict[int, SnippetSource] = OrderedDict()
        self.synonyms: Synonyms = load_synonyms(config)
        self.roster: Roster | None = self._load_roster()

    # -- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> KbSearcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._searcher.close()

    @property
    def generation(self) -> Path:
        """The index generation (folder) this searcher reads."""
        return self._generation

    @property
    def doc_count(self) -> int:
        return int(self._searcher.doc_count())

    def _load_roster(self) -> Roster | None:
        if not self.config.roster_path.is_file():
            return None
        try:
            return load_roster(self.config.roster_path)
        except KbtoolError as exc:
            self.notes.append(f"roster not used ({exc.located()}): owners shown as written")
            return None

    # -- searching --------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        service: str | None = None,
        tag: str | None = None,
        audience: str | None = None,
        status: str | None = None,
        include_retired: bool = False,
        owner: str | None = None,
        correct: bool = True,
    ) -> SearchResponse:
        """The best `limit` procedures for `query`, exact id/error-code matches first.

        `correct=False` searches the words as typed (no typo correction): "search as typed"
        after a correction was shown. A retired procedure named by its id is found even when
        retired ones are hidden: the agent asked for it by name (its page says what replaced it).
        """
        text = _CONTROL.sub(" ", query or "")[:MAX_QUERY_CHARS].strip()
        notes: list[str] = []
        if len(query or "") > MAX_QUERY_CHARS:
            notes.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
        if not text:
            return SearchResponse(query, None, [], [], 0, ("empty query",))
        limit = max(1, min(int(limit), 1000))
        plan = self._plan(text, correct=correct)
        notes.extend(plan.notes)
        allowed = self._allowed(service, tag, audience, status, owner)
        excluded: frozenset[int] = frozenset()
        if not include_retired and (status or "").lower() != "retired":
            excluded = self._retired()

        def wanted(docnum: int) -> bool:
            return docnum not in excluded and (allowed is None or docnum in allowed)

        def named(docnum: int, key: str) -> bool:
            """A hidden (retired) procedure whose id is `key`, with no filter against it."""
            if allowed is not None and docnum not in allowed:
                return False
            ident = self._searcher.stored_fields(docnum).get("id")
            return bool(ident) and exact_key(ident) == key

        hits: list[SearchHit] = []
        seen: set[int] = set()
        total = 0
        ranker = self._ranker_for(plan)
        if plan.exact_keys:
            exact_docs = [
                (docnum, key)
                for key in plan.exact_keys
                for docnum in self._searcher.document_numbers(exact=key)
            ]
            scored = sorted(
                {
                    (-ranker.score(plan.terms, docnum), docnum)
                    for docnum, key in exact_docs
                    if wanted(docnum) or (docnum in excluded and named(docnum, key))
                }
            )
            for negative, docnum in scored[:limit]:
                seen.add(docnum)
                hits.append(self._hit(docnum, -negative, plan, exact=True))
            total += len(scored)
        if plan.terms and len(hits) < limit:
            wanted_count = limit - len(hits)
            k = limit + len(seen)
            titled = bool(self.tuning.title_cover)
            depth = max(k, min(k * self.tuning.rerank_depth, k + 200)) if titled else k
            while True:
                ranked = ranker.top(plan.terms, depth, excluded=excluded, allowed=allowed)
                if titled:
                    ranked = Ranked(self._title_covered(plan, ranked.hits), ranked.matched)
                # A procedure that holds only part of a synonym (`access` of `remote access`)
                # meets no word of the query: it is not a match.
                kept = [
                    (score, docnum)
                    for score, docnum in ranked.hits
                    if docnum not in seen and (not plan.partial or self._meets(plan, docnum))
                ]
                if len(kept) >= wanted_count or len(ranked.hits) < depth:
                    break
                depth *= 4
            for score, docnum in kept[:wanted_count]:
                hits.append(self._hit(docnum, score, plan, exact=False))
            if plan.partial:
                total += len(self._meeting(plan, excluded, allowed) - seen)
            else:
                total += ranked.matched - len([d for _s, d in ranked.hits if d in seen])
        corrected = None
        if plan.corrections:
            corrected = _apply_corrections(text, plan.corrections)
        weak = bool(hits) and not hits[0].exact and self._weak(plan, hits[0])
        did_you_mean: list[str] = []
        retired: tuple[SearchHit, ...] = ()
        if not hits or weak:
            did_you_mean = self._did_you_mean(text, corrected)
        outside = 0
        problems: tuple[str, ...] = ()
        if not hits and allowed is not None:
            problems = tuple(self._filter_problems(service, tag, audience, status, owner))
            outside = self._match_count(plan, excluded)
        if not hits and excluded and status is None:
            retired = tuple(
                self.search(
                    query,
                    limit=3,
                    service=service,
                    tag=tag,
                    audience=audience,
                    owner=owner,
                    status="retired",
                ).results
            )
        return SearchResponse(
            query,
            corrected,
            did_you_mean,
            hits,
            max(total, len(hits)),
            tuple(notes),
            retired_matches=retired,
            corrections=tuple(plan.corrections.items()),
            weak=weak,
            outside_filters=outside,
            filter_problems=problems,
        )

    def _ranker_for(self, plan: _Plan) -> TextRanker:
        """The ranker for the query: BM25 with `short_b` for a query of a few words."""
        tuned = self.tuning
        if not tuned.short_b or tuned.short_b == tuned.bm25_b:
            return self._ranker
        if len(plan.concepts) > tuned.short_b_words:
            return self._ranker
        if self._short_ranker is None:
            self._short_ranker = TextRanker(
                self._searcher,
                b=tuned.short_b,
                k1=tuned.bm25_k1,
                vectorised=self._vectorised,
                # a few words decode few postings: a quarter of the cache is plenty
                cache_postings=CACHE_POSTINGS // 4,
            )
        return self._short_ranker

    def _match_count(self, plan: _Plan, excluded: frozenset[int]) -> int:
        """How many procedures (not `excluded`) the query matches, whatever the filters: every
        one, not only as many as the ranking looked at."""
        found = self._meeting(plan, excluded, None)
        for key in plan.exact_keys:
            found.update(d for d in self._searcher.document_numbers(exact=key) if d not in excluded)
        return len(found)

    def _filter_problems(
        self,
        service: str | None,
        tag: str | None,
        audience: str | None,
        status: str | None,
        owner: str | None,
    ) -> list[str]:
        """What is wrong with filter values that no procedure has, with the nearest one."""
        problems: list[str] = []
        for option, name, value in (
            ("--service", "service", service),
            ("--tag", "tags", tag),
            ("--audience", "audience", audience),
            ("--status", "status", status),
            ("--owner", "owner", owner),
        ):
            if not value or not value.strip():
                continue
            wanted = value.strip().lower()
            in_use = self._filter_values(name)
            if wanted in in_use:
                continue
            if name == "owner" and self.roster is not None:
                handles = list(self.roster.people)
                if self.roster.person(value.strip()) is None:
                    problem = f"{option} {value.strip()}: not a person in the roster"
                    close = difflib.get_close_matches(value.strip(), handles, n=1, cutoff=0.6)
                else:
                    problem = f"{option} {value.strip()}: owns no procedure"
                    close = []
            else:
                problem = f"{option} {value.strip()}: no procedure has it"
                close = difflib.get_close_matches(wanted, sorted(in_use), n=1, cutoff=0.6)
            problems.append(problem + (f" (did you mean {close[0]}?)" if close else ""))
        return problems

    def _filter_values(self, name: str) -> set[str]:
        """The values of a filter field that procedures have (lower case, as indexed)."""
        values = self._reader.lexicon(name)
        return {v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values}

    def _has(self, term: str, docnum: int) -> bool:
        ids, _impacts = self._ranker.impacts(term)
        index = bisect_left(ids, docnum)
        return index < len(ids) and ids[index] == docnum

    def _met(self, alternatives: list[_Alternative], docnum: int) -> bool:
        return any(
            all(any(self._has(term, docnum) for term in group) for group in alternative)
            for alternative in alternatives
        )

    def _meets(self, plan: _Plan, docnum: int) -> bool:
        """The procedure meets at least one word of the query."""
        return any(self._met(alternatives, docnum) for alternatives in plan.concepts)

    def _meeting(self, plan: _Plan, excluded: frozenset[int], allowed: set[int] | None) -> set[int]:
        """Every procedure that meets a word of the query, within the filters."""
        found: set[int] = set()
        for alternatives in plan.concepts:
            for alternative in alternatives:
                docs: set[int] | None = None
                for group in alternative:
                    holding = {d for term in group for d in self._ranker.impacts(term)[0]}
                    docs = holding if docs is None else docs & holding
                    if not docs:
                        break
                found |= docs or set()
        found -= excluded
        return found if allowed is None else found & allowed

    def _weak(self, plan: _Plan, hit: SearchHit) -> bool:
        """The best result meets less than `WEAK_SHARE` of what the query says, each word
        counted by how distinctive it is (BM25's idf; a word in no procedure as the rarest):
        a caller's rare words are what the problem is about, common ones barely tell."""
        if not plan.concepts:
            return False
        docnum = self._searcher.document_number(path=path_key(hit.path))
        if docnum is None:
            return False
        n = max(1, self.doc_count)
        said = met = 0.0
        for alternatives in plan.concepts:
            known = [df for term in alternatives[0][0] if (df := self._df(term))]
            weight = math.log(1 + (n - min(known, default=0) + 0.5) / (min(known, default=0) + 0.5))
            said += weight
            if self._met(alternatives, docnum):
                met += weight
        return met < WEAK_SHARE * said

    def _title_covered(self, plan: _Plan, hits: list[tuple[float, int]]) -> list[tuple[float, int]]:
        """`hits` re-ranked by how much of each title the query says.

        A title is short and specific: a query that says most of it ("the frontend service
        ... error rate" and a page titled "Frontend Service") is about that page, whereas a
        long, generic page gathers its score from many common words it shares with every
        query. The share is weighted by idf, so the title's rare words count most."""
        wanted = plan.terms
        factor = self.tuning.title_cover
        if self.tuning.title_cover_terms:
            factor *= min(1.0, len(wanted) / self.tuning.title_cover_terms)
        n = max(1, self.doc_count)
        rescored: list[tuple[float, int]] = []

        for score, docnum in hits:
            said = total = 0.0
            for term in self._title_terms(docnum):
                df = self._df(term)
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                total += idf
                if term in wanted:
                    said += idf
            share = said / total if total else 0.0
            rescored.append((score * (1.0 + factor * share), docnum))
        rescored.sort(key=lambda hit: (-hit[0], hit[1]))
        return rescored

    def _title_terms(self, docnum: int) -> frozenset[str]:
        """The analysed terms of a procedure's title (kept for the searcher's life)."""
        found = self._titles.get(docnum)
        if found is None:
            meta = self._searcher.stored_fields(docnum).get("meta") or {}
            title = str(meta.get("title") or "")
            found = frozenset(t for word in WORD.findall(title) for t in terms_of(word))
            if len(self._titles) < 200_000:
                self._titles[docnum] = found
        return found

    def _retired(self) -> frozenset[int]:
        """Retired procedures (hidden unless asked for), found once per searcher."""
        if self._retired_docs is None:
            self._retired_docs = frozenset(
                self._searcher.docs_for_query(wq.Term("status", "retired"))
            )
        return self._retired_docs

    def _allowed(
        self,
        service: str | None,
        tag: str | None,
        audience: str | None,
        status: str | None,
        owner: str | None,
    ) -> set[int] | None:
        """The documents the filters let through, or None when there is no filter."""
        query = _filters(service, tag, audience, status, owner)
        if query is None:
            return None
        return set(self._searcher.docs_for_query(query))

    def find(self, ident: str) -> str | None:
        """The path of the procedure with id `ident`, or at path `ident`.

        The id as typed wins, else one that differs from it only in case or punctuation;
        several of those, none exact, are ambiguous (`AmbiguousIdError`).
        """
        wanted = ident.strip()
        key = exact_key(wanted)
        if key:
            alike: list[tuple[str, str]] = []
            for docnum in self._searcher.document_numbers(exact=key):
                stored = self._searcher.stored_fields(docnum)
                if stored.get("id") and exact_key(stored["id"]) == key:
                    if stored["id"] == wanted:
                        return path_of_key(stored["path"])
                    alike.append((str(stored["id"]), path_of_key(stored["path"])))
            if len({other for other, _ in alike}) > 1:
                raise AmbiguousIdError(wanted, alike)
            if alike:
                return alike[0][1]
        rel = wanted.replace("\\", "/").removeprefix("./")
        for candidate in (rel, rel + ".md"):
            if self._searcher.document_number(path=path_key(candidate)) is not None:
                return candidate
        return None

    # -- query analysis ---------------------------------------------------------------------

    def _plan(self, text: str, *, correct: bool = True) -> _Plan:
        tuned = self.tuning
        k3 = tuned.qtf_k3
        notes: list[str] = []
        known = self._known_keys()
        exact_keys = exact_matches(
            text, lambda key: key in known and bool(self._reader.doc_frequency("exact", key))
        )
        pairs, counts = analyse_query(text)
        if not pairs and not exact_keys:
            words = WORD.findall(text)
            if any(len(word) > MAX_WORD for word in words):
                notes.append(
                    f"words longer than {MAX_WORD} characters are not searched (a hash or a"
                    " pasted line?); type a few words of the symptom"
                )
            elif words:
                notes.append("the query has only very common words; add a word of the symptom")
            return _Plan({}, {}, [], notes)
        terms: dict[str, float] = {}
        corrections: dict[str, str] = {}
        corrected_terms: dict[str, str] = {}  # word as typed -> the term searched instead
        ordered = [term for _word, term in pairs]
        # A word's synonyms stand for that one word: they share its weight, so a word with
        # two synonyms does not count three times (`screen` -> monitor, display).
        expanded = self.synonyms.expand(ordered)
        per_key = Counter(because for _term, because in expanded)
        for extra, because in expanded:
            terms[extra] = tuned.synonym_weight / per_key[because]
        synonym_keys = {t for key in self.synonyms.rules for t in key} & set(ordered)
        # What the rest of the query says, for choosing between corrections of a typo.
        context = [t for t in ordered if self._df(t)]
        for word, term in pairs:
            if self._df(term) or term in synonym_keys:
                terms[term] = max(terms.get(term, 0.0), 1.0)
                continue
            fixed = None
            if correct and _correctable(word, exact_keys):
                fixed = self._correct(word, term, context=context)
            if fixed is not None:
                new_term, shown = fixed
                terms.setdefault(new_term, tuned.correction_weight)
                corrections[word] = shown
                corrected_terms[word] = new_term
            else:
                terms[term] = max(terms.get(term, 0.0), 1.0)  # keeps rare non-words searchable
        # "crash looping" should meet "Crashlooping", "log in" meet "login": adjacent words
        # joined, when the joined word exists.
        typed = [w.lower() for w in WORD.findall(text)[:200]]
        for first, second in zip(typed, typed[1:], strict=False):
            if first.isalpha() and second.isalpha() and first not in STOP_WORDS:
                for _word, joined in query_terms(first + second):
                    if joined not in terms and self._df(joined):
                        terms[joined] = tuned.join_weight
        # A code read out in pieces ("5 7 23", "550 5 1 10") meets the code as written in a
        # procedure (`5.7.23` is indexed as `5723`): runs of number-bearing pieces joined.
        for joined in code_runs(text):
            if joined not in terms and self._df(joined):
                terms[joined] = tuned.code_run_weight
        # A word the caller repeats is what the problem is about ("less than 5% space left
        # ... only 2% available space left"): BM25's query-term frequency, saturating.
        for term, count in counts.items():
            if count > 1 and term in terms:
                terms[term] *= (k3 + 1) * count / (k3 + count)
        # A pasted alert or ticket says what it is about first (its title, its subject), the
        # generic explanation after: a term weighs less the later it is first said.
        if tuned.position_decay:
            said_at: dict[str, int] = {}
            for position, word in enumerate(WORD.findall(text)[:200]):
                for term in terms_of(word):
                    said_at.setdefault(term, position)
                if word in corrected_terms:
                    said_at.setdefault(corrected_terms[word], position)
            for term in terms:
                if term in said_at:
                    terms[term] /= 1.0 + said_at[term] / tuned.position_decay
        terms = {t: w for t, w in terms.items() if self._df(t)}
        if len(terms) > tuned.max_terms:
            terms = self._prune(terms)
        concepts = self._concepts(text, pairs, corrected_terms, terms)
        return _Plan(terms, corrections, exact_keys, notes, concepts)

    def _concepts(
        self,
        text: str,
        pairs: list[tuple[str, str]],
        corrections: dict[str, str],
        terms: dict[str, float],
    ) -> list[list[_Alternative]]:
        """The words of the query (stop words aside), each with the ways a procedure meets it
        (`corrections`: word as typed -> the term searched instead):
        one of its own terms, its correction, one of its synonyms (all of that synonym's
        words), or a joined term it is part of (`log in` as `login`, a code read in pieces)."""
        words: list[str] = []
        own: list[set[str]] = []
        index_of: list[int] = []  # pair -> word
        for word, term in pairs:
            if not words or words[-1] != word:
                words.append(word)
                own.append(set())
            own[-1].add(term)
            index_of.append(len(words) - 1)
        concepts: list[list[_Alternative]] = [[(frozenset(t),)] for t in own]
        for position, word in enumerate(words):
            if word in corrections:
                concepts[position].append((frozenset({corrections[word]}),))
        ordered = [term for _word, term in pairs]
        for start, size, key in self.synonyms.matches(ordered):
            for group in self.synonyms.groups.get(key, ()):
                for position in {index_of[i] for i in range(start, start + size)}:
                    concepts[position].append(group)
        by_word = {word.lower(): position for position, word in enumerate(words)}
        typed = [w.lower() for w in WORD.findall(text)[:200]]
        for first, second in zip(typed, typed[1:], strict=False):
            for _word, joined in query_terms(first + second):
                if joined in terms:
                    for word in (first, second):
                        if word in by_word:
                            concepts[by_word[word]].append((frozenset({joined}),))
        for joined in code_runs(text):
            if joined in terms:
                for position, word_terms in enumerate(own):
                    if any(ch.isdigit() for t in word_terms for ch in t):
                        concepts[position].append((frozenset({joined}),))
        return concepts

    def _df(self, term: str) -> int:
        df = self._dfs.get(term)
        if df is None:
            df = int(self._reader.doc_frequency("text", term))
            if len(self._dfs) < 200_000:
                self._dfs[term] = df
        return df

    def _known_keys(self) -> frozenset[str]:
        """Every id and error-code key in the index (read once; a query is checked against
        it before the index is asked)."""
        if self._keys is None:
            listed = store.read_lines(self._generation, store.EXACT_KEYS)
            if listed is None:  # written by every build; rebuilt from the index if lost
                listed = list(self._reader.lexicon("exact"))
                listed = [k.decode("utf-8") if isinstance(k, bytes) else k for k in listed]
            self._keys = frozenset(listed)
        return self._keys

    def _speller(self) -> Speller:
        if self._spell is None:
            listed = store.read_lines(self._generation, store.SPELLING)
            if listed is None:  # written by every build; rebuilt from the index if lost
                listed = [t for t in self._reader.field_terms("text") if t.isalpha()]
            self._spell = Speller(listed)
        return self._spell

    def _prune(self, terms: dict[str, float]) -> dict[str, float]:
        """Keep the most distinctive terms: lowest document frequency, weighted."""
        n = max(1, self.doc_count)

        def value(item: tuple[str, float]) -> float:
            df = self._df(item[0])
            return item[1] * math.log(1 + (n - df + 0.5) / (df + 0.5))

        ranked = sorted(terms.items(), key=value, reverse=True)
        return dict(ranked[: self.tuning.max_terms])

    def _correct(
        self,
        word: str,
        term: str,
        maxdist: int | None = None,
        *,
        same_first: bool = True,
        context: list[str] | None = None,
    ) -> tuple[str, str] | None:
        """The indexed term a term found nowhere was meant to be, and the word to show for it.

        Candidates are the words procedures write within `maxdist` edits of the word as typed
        (or of its stem: stemming can move a typo away from the word, `calander` -> `caland`).
        With `context` (the other terms of the query), the candidate the knowledge base
        supports wins: the one found in a procedure with most of the query's other words
        (each counted by its idf), halved for every edit more than the closest candidate
        needs. So `teams presense stuck on away` means `presence`, not the
        more widespread `present`, and `shared calander permissions` means `calendar`, not a
        `calender` misspelt in one procedure. Without context, the closest, most widespread
        candidate wins.

        The support is the best single procedure's (see `_support`): the candidate and the
        rest of the query found together.
        """
        typed = word.lower()
        if maxdist is None:
            maxdist = 1 if len(typed) <= 5 else 2
        speller = self._speller()
        found: dict[str, int] = {}
        for probe in dict.fromkeys((term, typed)):
            for _distance, candidate in speller.within(probe, maxdist, same_first=same_first):
                if candidate in found or not self._written_df(candidate):
                    continue
                # Measured between words as written, not stems: `presense` is one edit from
                # `presence` and three from `prevent`, whose stems are only two apart.
                distance = edit_distance(self._spelling(candidate, word), typed)
                if distance <= maxdist:
                    found[candidate] = distance
        if not found:
            return None
        closest = min(found.values())
        weigh = bool(context) and bool(self.tuning.correction_context)
        scores: dict[str, float] = {}
        for candidate, distance in found.items():
            support = self._support(candidate, context or []) if weigh else 0.0
            scores[candidate] = (1.0 + support) * 0.5 ** (distance - closest)
        best = max(found, key=lambda c: (scores[c], -found[c], self._df(c), c))
        return best, self._spelling(best, word)

    def _support(self, candidate: str, context: list[str]) -> float:
        """How well the knowledge base supports a word next to the query's other terms: the
        best procedure holding it, scored by the idf of the other terms it also holds, and
        how many procedures come near that (at least half its score). A procedure about what
        the query says has them together; a word that is merely common, or a misspelling in
        one procedure, does not."""
        n = max(1, self.doc_count)
        others = [
            (set(self._ranker.impacts(t)[0]), math.log(1 + (n - df + 0.5) / (df + 0.5)))
            for t in dict.fromkeys(context)
            if t != candidate and (df := self._df(t))
        ]
        scores = [
            sum(idf for docs, idf in others if docnum in docs)
            for docnum in self._ranker.impacts(candidate)[0]
        ]
        best = max(scores, default=0.0)
        if best <= 0.0:
            return 0.0
        # Many procedures saying it with the rest of the query outweigh a single one.
        agreeing = sum(1 for score in scores if score >= 0.5 * best)
        return (1.0 + best) * (1.0 + math.log(agreeing)) - 1.0

    def _written_df(self, term: str) -> int:
        """The document frequency of a term some procedure writes as a word: a correction is
        shown to the user, so never a piece of an identifier (`outof` of `out-of-date`)."""
        if self._vocab is None:
            self._vocab = store.read_vocab(self._generation)
        if self._vocab and term not in self._vocab:
            return 0
        return self._df(term)

    def _spelling(self, term: str, typed: str) -> str:
        if self._vocab is None:
            self._vocab = store.read_vocab(self._generation)
        forms = self._vocab.get(term) or [term]
        return min(forms, key=lambda form: (edit_distance(form, typed.lower()), len(form)))

    def _did_you_mean(self, text: str, corrected: str | None) -> list[str]:
        """Alternative queries when nothing matched: each word moved to its nearest spelling."""
        base = corrected or text
        replacements: dict[str, str] = {}
        synonym_keys = {t for key in self.synonyms.rules for t in key}
        for word in WORD.findall(base):
            if len(word) < 3 or not word.isalpha() or word.lower() in STOP_WORDS:
                continue
            word_terms = [t for _w, t in query_terms(word)]
            if any(self._df(t) or t in synonym_keys for t in word_terms):
                continue  # the word is in the knowledge base: nothing to suggest for it
            for term in word_terms:
                fixed = self._correct(word, term, maxdist=2, same_first=False)
                if fixed is not None and fixed[1] != word.lower():
                    replacements[word] = fixed[1]
        if not replacements:
            return []
        suggestion = _apply_corrections(base, replacements)
        return [suggestion] if suggestion.lower() != base.lower() else []

    # -- results ----------------------------------------------------------------------------

    def _hit(self, docnum: int, score: float, plan: _Plan, *, exact: bool) -> SearchHit:
        stored = self._searcher.stored_fields(docnum)
        meta: dict[str, Any] = stored.get("meta") or {}
        rel = path_of_key(stored["path"])
        procedure = _procedure_from_meta(self.config, rel, stored.get("id"), meta)
        own = ownership(procedure, self.roster, self.today)
        state = review_state(procedure, self.config, self.today)
        answering = own.acting_owner if own.orphaned else own.owner
        person = self.roster.person(answering) if self.roster is not None and answering else None
        return SearchHit(
            id=stored.get("id"),
            path=rel,
            title=meta.get("title") or rel,
            summary=meta.get("summary") or None,
            score=float(score),
            snippet=partial(  # type: ignore[arg-type]
                self._snippet, docnum, stored.get("snippet"), self._snippet_terms(plan), meta
            ),
            owner=answering,
            overdue=state.overdue,
            exact=exact,
            service=meta.get("service"),
            status=meta.get("status") or "published",
            orphaned=own.orphaned,
            recorded_owner=own.owner,
            backup=own.backup,
            orphan_reason=own.orphan_reason,
            owner_name=person.name if person is not None else None,
            review_status=state.status.value,
            replaced_by=self._replacement(meta.get("superseded_by")),
        )

    def procedure_names(self) -> dict[str, str]:
        """Every procedure's id (and path) -> the name events record it under (its id, else
        its path), for checking names a client sends without a search per request. Ids are
        also given lower-cased."""
        names: dict[str, str] = {}
        for stored in self._reader.all_stored_fields():
            path = path_of_key(str(stored.get("path", "")))
            ident = str(stored["id"]) if stored.get("id") else None
            name = ident or path
            names[path] = name
            names.setdefault(path.removesuffix(".md"), name)
            if ident:
                names[ident] = ident
                names.setdefault(ident.lower(), ident)
        return names

    def id_of(self, rel: str) -> str | None:
        """The id of the procedure at `rel` (relative to the procedures folder), if any."""
        docnum = self._searcher.document_number(path=path_key(rel))
        if docnum is None:
            return None
        ident = self._searcher.stored_fields(docnum).get("id")
        return str(ident) if ident else None

    def replacement(self, ident: str | None) -> tuple[str, str | None] | None:
        return self._replacement(ident)

    def _replacement(self, ident: str | None) -> tuple[str, str | None] | None:
        """(id, title) of the procedure with id `ident`; the title None when there is none."""
        if not ident:
            return None
        try:
            rel = self.find(ident)
        except AmbiguousIdError:
            rel = None
        docnum = self._searcher.document_number(path=path_key(rel)) if rel else None
        if docnum is None:
            return ident, None
        meta = self._searcher.stored_fields(docnum).get("meta") or {}
        return ident, meta.get("title") or rel

    def _snippet_terms(self, plan: _Plan) -> set[str]:
        """The query's most distinctive terms, at most `SNIPPET_TERMS`: what a snippet's line
        is chosen by and marks. The common words of a pasted alert or ticket (`error`,
        `server`, `user`) hold in most lines and would only make each snippet cost more."""
        if plan.snippet_terms is None:
            idf = self._searcher.idf
            ranked = sorted(plan.terms, key=lambda t: (-plan.terms[t] * idf("text", t), t))
            plan.snippet_terms = set(ranked[:SNIPPET_TERMS])
        return plan.snippet_terms

    def _snippet(self, docnum: int, packed: Any, terms: set[str], meta: dict[str, Any]) -> str:
        source = self._snippet_source(docnum, packed)
        if source is None:
            return meta.get("summary") or ""
        return snippet(source, terms) or meta.get("summary") or ""

    def _snippet_source(self, docnum: int, packed: Any) -> SnippetSource | None:
        """The snippet source of document `docnum` (its stored lines, `packed`), kept for the
        next searches while this searcher lives (document numbers do not change under it)."""
        cached = self._sources.get(docnum)
        if cached is not None:
            self._sources.move_to_end(docnum)
            return cached
        if not isinstance(packed, bytes):
            return None
        try:
            source = SnippetSource(unpack(packed))
        except (zlib.error, UnicodeDecodeError):  # a damaged stored field: the summary instead
            return None
        self._sources[docnum] = source
        if len(self._sources) > SNIPPET_SOURCES:
            self._sources.popitem(last=False)
        return source


# --- helpers --------------------------------------------------------------------------------


def _filters(
    service: str | None,
    tag: str | None,
    audience: str | None,
    status: str | None,
    owner: str | None,
) -> wq.Query | None:
    parts = [
        wq.Term(name, value.strip().lower())
        for name, value in (
            ("service", service),
            ("tags", tag),
            ("audience", audience),
            ("status", status),
            ("owner", owner),
        )
        if value and value.strip()
    ]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _correctable(word: str, exact_keys: list[str]) -> bool:
    return len(word) >= 4 and word.isalpha() and word.lower() not in exact_keys


def _apply_corrections(text: str, corrections: dict[str, str]) -> str:
    return WORD.sub(lambda m: corrections.get(m.group(), m.group()), text)


def _procedure_from_meta(
    config: Config, rel: str, ident: str | None, meta: dict[str, Any]
) -> Procedure:
    """Enough of a Procedure for `review_state` and `ownership`, from stored fields."""
    fields: dict[str, Any] = {}
    for name in ("service", "status", "owner", "backup", "review_every"):
        if meta.get(name) is not None:
            fields[name] = meta[name]
    if meta.get("reviewed"):
        with contextlib.suppress(ValueError):
            fields["reviewed"] = dt.date.fromisoformat(meta["reviewed"])
    if ident:
        fields["id"] = ident
    return Procedure(path=config.procedures_dir / rel, rel_path=rel, fields=fields)


# --- opening --------------------------------------------------------------------------------


class _DamagedIndex(Exception):  # noqa: N818 - private: always turned into a rebuild or an error
    """The index opened, but is not what its last commit left (`indexer.check_generation`)."""


def open_searcher(
    config: Config,
    *,
    today: dt.date | None = None,
    refresh: bool = True,
    on_wait: Any = None,
    files_digest: Callable[[], str | None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    vectorised: bool = False,
    stale: str | None = None,
) -> KbSearcher:
    """Open the index of `config` for searching.

    With `refresh` (the default) an index that is missing, from another schema version,
    damaged or older than the procedures is built or updated first (only what changed), and
    the searcher's `notes` say what was done; `files_digest` gives the digest of the files
    when the caller started making it earlier (`file_scan.digest_in_background`). When it
    cannot be updated (a full disk, a folder the user may not write), the index there is
    searched as it is, and a note says why it was not updated. Without `refresh`, a missing
    or damaged index is a `NotFoundError` telling the user to run `kbtool index`. `progress`
    is told how a build or update on the way advances. `vectorised`: rank with numpy, for a
    process that searches many times (`ranking.TextRanker`). `stale`: why the caller's own
    freshness check (`indexer.stale_reason`, made just now) found the index out of date, so
    that the files are not compared a second time.
    """
    primary = store.index_root(config)
    notes: list[str] = []
    root = primary
    if refresh:
        root = _refresh(config, root, notes, on_wait, files_digest, progress, stale)
    clean = refresh and root == primary
    try:
        return _searcher_at(config, root, today, notes, clean=clean, vectorised=vectorised)
    except KbtoolError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged cache can fail in any way
        problem = str(exc) if isinstance(exc, _DamagedIndex) else _describe(exc)
    if not refresh or root != primary:
        if problem == _MISSING:
            message = "no usable search index: run 'kbtool index'"
        else:
            message = f"the search index cannot be read ({problem}); run 'kbtool index --rebuild'"
        raise NotFoundError(message, path=str(root))
    build_index(config, rebuild=True, on_wait=on_wait, progress=progress)
    notes.append(f"the search index was unreadable ({problem}); rebuilt it")
    try:
        return _searcher_at(config, root, today, notes, clean=False, vectorised=vectorised)
    except KbtoolError:
        raise
    except Exception as exc:  # noqa: BLE001 - rebuilt just now and still unreadable: give up
        raise NotFoundError(
            f"the search index could not be rebuilt ({_describe(exc)})", path=str(root)
        ) from None


def open_unchecked(config: Config, *, today: dt.date | None = None) -> KbSearcher:
    """The searcher `open_searcher` opens when the index is up to date, without checking
    that it is: for a caller that makes the check meanwhile and searches again when it fails
    (`kbtool search` stats the files in a child process while it searches). Raises whatever
    opening fails with (`_DamagedIndex`, Whoosh's errors)."""
    return _searcher_at(config, store.index_root(config), today, [], clean=True)


def _refresh(
    config: Config,
    root: Path,
    notes: list[str],
    on_wait: Any,
    files_digest: Callable[[], str | None] | None,
    progress: Callable[[int, int], None] | None,
    stale: str | None = None,
) -> Path:
    """Bring the index at `root` up to date when it needs it; return where to search."""
    digest = files_digest() if files_digest is not None else None
    reason = stale or stale_reason(config, digest, root)
    if reason is None:
        return root
    local = store.local_index_root(config)
    if local != root and stale_reason(config, digest, local) is None:
        return local  # an up-to-date index where we may not write: searched as it is
    usable = _usable_generation(root) is not None
    try:
        stats = build_index(
            config, wait=0.0 if usable else 120.0, on_wait=on_wait, progress=progress
        )
    except store.IndexBusyError:
        notes.append("another kbtool process is updating the index; results may lag")
        return root
    except OSError as exc:
        # A full disk, a folder we may not write: an index that is there still answers.
        for fallback in (root, local):
            if _usable_generation(fallback) is not None:
                notes.append(
                    f"could not update the search index ({_os_problem(exc)}); searching it"
                    " as it is, without the latest changes to procedures"
                )
                return fallback
        raise
    if stats.rebuilt and stats.reason and stats.reason != "no search index yet":
        notes.append(stats.reason.removesuffix("; rebuilding it") + "; rebuilt it")
    elif stats.changed and not stats.rebuilt:
        notes.append(
            f"index updated: {stats.added} added, {stats.updated} changed, {stats.removed} removed"
        )
    return root


_MISSING = "there is none"


def _searcher_at(
    config: Config,
    root: Path,
    today: dt.date | None,
    notes: list[str],
    *,
    clean: bool,
    vectorised: bool = False,
) -> KbSearcher:
    """A searcher over the index at `root`; `_DamagedIndex` (or whatever Whoosh raises) when
    it cannot be opened as its last commit left it. `clean`: remove what killed builds left."""
    current, damage = store.load_current(root)
    if current is None:
        raise _DamagedIndex(damage or _MISSING)
    if current.schema != SCHEMA_VERSION:
        raise _DamagedIndex("it was built by another version of kbtool")
    generation = root / current.generation
    if not (generation / store.MANIFEST).is_file():  # parsed by the freshness check
        raise _DamagedIndex("its manifest is missing")
    if clean:
        store.remove_stray_generations(root, current)
    ix = whoosh_index.open_dir(str(generation))
    return KbSearcher(config, ix, generation, today=today, notes=notes, vectorised=vectorised)


def _usable_generation(root: Path) -> Path | None:
    """The generation at `root` a search could open, judged from CURRENT and the manifest."""
    current = store.read_current(root)
    if current is None or current.schema != SCHEMA_VERSION:
        return None
    generation = root / current.generation
    return generation if (generation / store.MANIFEST).is_file() else None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _os_problem(exc: OSError) -> str:
    what = exc.strerror or str(exc)
    return f"{exc.filename}: {what}" if exc.filename else what
