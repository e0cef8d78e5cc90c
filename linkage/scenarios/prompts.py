"""Prompt text for the scenario: diverse benign requests, a popular tool's fixed template, enterprise templates and
the chain-of-thought elicitation families of distillation farms.

Benign prompts combine a frame (how people ask) with a random run of topic words and invented names, so two
unrelated prompts share at most their few frame words and are never near-duplicates. A farm's family is one long
instruction in a few paraphrased variants, slot-filled with a curriculum of questions: the instruction dominates
the text, which is what makes the family visible. No text carries personal data: names are invented syllables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.scenarios.values import concat, fill_slots, join_words, numbers, pick

TOPICS = {
    "cooking": "recipe oven dough sauce garlic roast simmer spice flour butter pasta broth marinade skillet bake "
    "vegetarian dessert lentils fermentation knife",
    "travel": "itinerary flight hostel museum train passport beach hiking visa luggage ferry budget guesthouse "
    "coastline festival currency layover",
    "code": "function python array loop exception regex database query index api endpoint compile docker "
    "dependency refactor unittest pointer async thread cache",
    "finance": "budget mortgage savings invoice interest pension spreadsheet tax receipt loan inflation "
    "dividend payroll expense forecast",
    "health": "sleep stretching posture hydration protein cardio routine knee allergy vitamins recovery "
    "meditation running injury",
    "history": "empire treaty revolution dynasty parliament medieval archive colony republic manuscript "
    "cathedral trade route siege",
    "garden": "tomato compost soil seedlings pruning mulch orchid greenhouse pest watering perennial hedge",
    "writing": "essay paragraph thesis draft outline cover letter poem narrative dialogue chapter headline "
    "tone audience summary",
    "music": "chord melody guitar rhythm scale tempo lyrics piano harmony playlist synth drums",
    "science": "photosynthesis molecule gravity orbit enzyme circuit voltage ecosystem fossil climate "
    "particle telescope",
    "home": "paint shelf leak insulation drill tiles mould wardrobe lighting boiler curtains",
    "career": "interview resume salary manager promotion feedback meeting deadline onboarding portfolio",
}
FRAMES = [
    ("How do I", "?"),
    ("Can you explain", "in simple terms?"),
    ("Write a short note about", "for my blog."),
    ("What is the difference between", "?"),
    ("Help me plan", "for next week."),
    ("Summarise", "briefly."),
    ("Give me ideas for", "."),
    ("Is it a good idea to", "?"),
    ("I'm stuck with", ", any advice?"),
    ("Make a checklist for", "."),
    ("Rewrite this to sound friendlier:", ""),
    ("Why does", "happen?"),
    ("Compare", "and tell me which is better."),
    ("Quick question:", ""),
    ("Draft an email about", "."),
    ("What should I know about", "before starting?"),
    ("List pros and cons of", "."),
    ("Translate:", ""),
    ("Suggest a name for", "."),
    ("Correct the grammar:", ""),
    ("Tell me a fun fact about", "."),
    ("Create a weekly schedule for", "."),
    ("Outline", "in five bullet points."),
    ("", "- thoughts?"),
]
_SYLLABLES = (
    "ka lo mi ren ta vo shi ber dun el fa gri ho jun kel lor man nev or pra qui ros sul tem ur vin wes xa yor zen"
)


def invented_words(count: int, syllables_text: str = _SYLLABLES, seed: int = 20261124) -> list[str]:
    """A fixed vocabulary of pronounceable invented names (the same for every scenario), from syllables of a script."""
    rng = np.random.default_rng(seed)
    syllables = np.array(syllables_text.split())
    words = {"".join(rng.choice(syllables, int(rng.integers(2, 4)))) for _ in range(count * 2)}
    return [str(w) for w in rng.permutation(sorted(words))[:count]]


NAMES = invented_words(4000)
_TOPIC_WORDS = [w for words in TOPICS.values() for w in words.split()]
VOCABULARY = pa.array(_TOPIC_WORDS + NAMES, type=pa.string())
_TOPIC_SPANS = []
_start = 0
for _words in TOPICS.values():
    _TOPIC_SPANS.append((_start, _start + len(_words.split())))
    _start += len(_words.split())
_CODE_SPAN = _TOPIC_SPANS[list(TOPICS).index("code")]


def _topic_words(rng: np.random.Generator, lengths: np.ndarray, spans: list[tuple[int, int]]) -> pa.Array:
    """Per prompt, ``lengths[i]`` words: about 60% from one topic, the rest invented names."""
    n = len(lengths)
    topic = rng.integers(0, len(spans), n)
    lo = np.array([s[0] for s in spans])[topic]
    hi = np.array([s[1] for s in spans])[topic]
    total = int(lengths.sum())
    row = np.repeat(np.arange(n), lengths)
    from_topic = rng.random(total) < 0.6
    topic_index = lo[row] + (rng.random(total) * (hi[row] - lo[row])).astype(np.int64)
    name_index = len(_TOPIC_WORDS) + rng.integers(0, len(NAMES), total)
    return join_words(VOCABULARY, np.where(from_topic, topic_index, name_index), lengths)


def benign(rng: np.random.Generator, n: int, cot_share: float = 0.03) -> pa.Array:
    """Diverse everyday requests; a few ask for steps, as real users sometimes do."""
    frames = rng.integers(0, len(FRAMES), n)
    body = _topic_words(rng, rng.integers(6, 30, n), _TOPIC_SPANS)
    tail = np.where(rng.random(n) < cot_share, " Explain step by step.", "")
    prefix = pick([f[0] for f in FRAMES], frames)
    suffix = pick([f[1] for f in FRAMES], frames)
    return concat(prefix, " ", body, " ", suffix, pa.array(tail, type=pa.string()))


TOOL_TEMPLATE = (
    "You are Quillcode, an AI pair programmer running inside the user's editor. Follow the user's instructions "
    "carefully and precisely. Answer with code in fenced blocks and keep explanations short. Never invent APIs or "
    "library functions; when unsure, say so and ask a clarifying question. Respect the project's existing style, "
    "naming and formatting conventions. Do not repeat the whole file unless asked."
)


def tool(rng: np.random.Generator, n: int, question: Callable[[], pa.Array] | None = None) -> pa.Array:
    """The tool's fixed system prompt followed by each user's own code question (``question`` makes them in the
    users' own languages)."""
    files = concat("src/", pick(NAMES, rng.integers(0, len(NAMES), n)), ".py")
    asked = question() if question else _topic_words(rng, rng.integers(6, 24, n), [_CODE_SPAN])
    return concat(TOOL_TEMPLATE, " Current file: ", files, ". User request: ", asked)


_ORG_TASKS = [
    "Summarise the following customer ticket for the on-call team and list action items:",
    "Turn these commit messages into release notes for customers:",
    "Rewrite this paragraph to follow our style guide:",
    "Extract the invoice number, supplier and total from this text:",
    "Classify this support request by product area and urgency:",
    "Draft a reply to this partner email in our usual tone:",
]


def org_templates(rng: np.random.Generator, org_word: str) -> list[str]:
    """Two internal templates of one org: a preamble in the org's own words (team, product, style guide names)
    and a task; another org's templates share at most the task sentence."""
    templates = []
    for task in rng.choice(_ORG_TASKS, 2, replace=False):
        team, product, guide = (" ".join(rng.choice(NAMES, k)) for k in (2, 2, 3))
        templates.append(
            f"You are the internal assistant of {org_word}. Team: {team}. Product: {product}. "
            f"Follow the {guide} guide and never share customer data outside {org_word}. {task}"
        )
    return templates


def enterprise(rng: np.random.Generator, n: int, templates: list[str]) -> pa.Array:
    """An org's internal templates (30% of its requests) mixed with its staff's own requests."""
    templated = rng.random(n) < 0.3
    body = _topic_words(rng, rng.integers(8, 30, n), _TOPIC_SPANS)
    head = pick(templates, rng.integers(0, len(templates), n))
    mixed = concat(head, " ", body)
    return pc.if_else(pa.array(templated), mixed, benign(rng, n))


_COT_OPENINGS = [
    "Think step by step and show all of your reasoning before giving the final answer.",
    "Let's think through this carefully, step by step, writing out every intermediate step.",
    "Reason step by step. Write out your full chain of thought, then give the answer on the last line.",
    "Show all of your work and reasoning in detail, one step at a time, before answering.",
    "Work through the problem step by step and explain your reasoning at each stage.",
    "Before answering, think it through step by step and make the whole chain of thought explicit.",
    "Explain your reasoning step by step as if thinking aloud, then commit to one answer.",
    "Produce a complete step-by-step derivation with your full reasoning visible.",
]
_COT_ROLES = ["an expert tutor", "a senior research scientist", "a competition coach", "a patient professor",
              "a meticulous examiner", "a textbook author"]  # fmt: skip
_COT_ARTIFACTS = ["worked solutions", "model answers", "annotated walkthroughs", "exam-grade solutions",
                  "reference explanations", "training examples"]  # fmt: skip
_COT_AUDIENCES = ["advanced students", "graduate applicants", "olympiad finalists", "first-year undergraduates",
                  "self-taught engineers", "a question bank"]  # fmt: skip
_COT_FORMATS = [
    "Structure the answer as: restate the problem, plan, work through each step, check, final answer.",
    "Number every step, justify each one, and list any assumptions before you start.",
    "Use headings for Understanding, Approach, Detailed Steps, Verification and Answer.",
    "Write each step on its own line, prefixed with Step and its number, and name the rule it uses.",
    "First list what is given and what is asked, then derive the result in small steps.",
    "Put your reasoning inside thinking tags and the final result after them.",
]
_COT_RULES = [
    "Never skip algebra or arithmetic, however trivial.", "Consider at least one alternative approach and say why "
    "you rejected it.", "Point out common mistakes a student might make on the way.", "Keep units on every quantity.",
    "If the problem is ambiguous, state your interpretation first.", "Verify the result by substituting it back.",
]  # fmt: skip
_COT_CLOSINGS = [
    "Finally, state the answer clearly and double check each step.",
    "At the end, give the final answer in the form: Answer: <value>.",
    "Be thorough, verify your reasoning, and do not skip any step.",
    "Conclude with a one-sentence summary of the key idea.",
    "End with the final answer in bold.",
    "Close by rating your confidence from one to ten.",
]
_SYNONYMS = {
    "carefully": "closely",
    "answer": "response",
    "every": "each",
    "detail": "depth",
    "write": "set",
    "final": "concluding",
    "problem": "question",
    "clearly": "plainly",
    "thorough": "exhaustive",
    "expert": "seasoned",
    "tutor": "teacher",
    "solutions": "answers",
    "students": "learners",
}
QUESTIONS = [
    "A tank holds {a} litres and drains at {b} litres per minute. How long until it holds {c} litres?",
    "Prove that the sum of the first {a} odd numbers equals {a} squared.",
    "A train travels {a} km at {b} km/h and then {c} km at {a} km/h. What is its average speed?",
    "Write a function that returns the {a}th prime number and analyse its complexity.",
    "How many ways can {a} people sit at a round table if two of them refuse to sit together?",
    "A {a} kg block slides down a {b} degree slope with friction coefficient 0.{c}. Find its acceleration.",
    "Balance the reaction of {a} moles of propane with oxygen and compute the mass of water produced.",
    "Given an array of {a} integers, find the longest increasing subsequence in O(n log n).",
    "If a loan of {a} dollars has {b}% annual interest compounded monthly, what is owed after {c} years?",
    "What is the probability of at least {a} heads in {b} fair coin tosses?",
    "Explain why the derivative of x^{a} is {a}x^{b} using the limit definition.",
    "A rectangle has perimeter {a} and area {b}. Find its sides.",
]


@dataclass(frozen=True)
class Family:
    """One chain-of-thought elicitation template in its paraphrased variants (each with a ``{q}`` slot)."""

    family_id: str
    variants: tuple[str, ...]


def cot_family(rng: np.random.Generator, family_id: str, paraphrases: int, heavy: bool = False) -> Family:
    """A farm's template: opening, persona, format and rules, a dataset tag, closing; then its paraphrases.

    Each campaign picks its own sentences and invented subject words, so two farms' families differ. ``heavy``
    paraphrasing (stolen-card farms) swaps more words and reorders sentences, as LLM-rewritten variants do.
    """
    subject = " ".join(rng.choice(NAMES, 3))
    tag = "-".join(rng.choice(NAMES, 2))
    sentences = [
        str(rng.choice(_COT_OPENINGS)),
        f"You are {rng.choice(_COT_ROLES)} in {subject}, writing {rng.choice(_COT_ARTIFACTS)} for "
        f"{rng.choice(_COT_AUDIENCES)}.",
        str(rng.choice(_COT_FORMATS)),
        " ".join(str(r) for r in rng.choice(_COT_RULES, 2, replace=False)),
        f"Dataset tag {tag}.",
        "Question: {q}",
        str(rng.choice(_COT_CLOSINGS)),
    ]
    variants = [" ".join(sentences)]
    for _ in range(paraphrases - 1):
        order = list(sentences)
        if heavy:
            head = order[:4]
            rng.shuffle(head)
            order = head + order[4:]
        words = " ".join(order).split(" ")
        swaps = rng.random(len(words)) < (0.6 if heavy else 0.3)
        words = [_SYNONYMS.get(w, w) if s else w for w, s in zip(words, swaps, strict=True)]
        variants.append(" ".join(words))
    return Family(family_id, tuple(variants))


Questions = Callable[[np.random.Generator, int], pa.Array]


def cot(rng: np.random.Generator, families: list[Family], family_of_row: np.ndarray,
        questions: Questions | None = None) -> pa.Array:  # fmt: skip
    """Prompts of the given families, each variant slot-filled with a curriculum question (``questions`` makes
    them in another language)."""
    n = len(family_of_row)
    flat = [v for f in families for v in f.variants]
    starts = np.cumsum([0] + [len(f.variants) for f in families])[:-1]
    counts = np.array([len(f.variants) for f in families])
    variant = starts[family_of_row] + (rng.random(n) * counts[family_of_row]).astype(np.int64)
    heads = pick([v.split("{q}")[0] for v in flat], variant)
    tails = pick([v.split("{q}")[1] for v in flat], variant)
    question = (questions or _curriculum)(rng, n)
    return concat(heads, question, tails)


def _curriculum(rng: np.random.Generator, n: int) -> pa.Array:
    frames = rng.integers(0, len(QUESTIONS), n)
    values = {k: numbers(rng.integers(2, 500, n)) for k in "abc"}
    return fill_slots(QUESTIONS, frames, values)
