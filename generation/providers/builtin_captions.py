"""The builtin caption writer: offline and deterministic (same brief, same words), yet different
submissions read differently — phrasing, order and details are picked with the brief's seed from
pools written per voice, and the notes, topic and media make their way into the words.

It writes from the client's business (name, industry, location, description), its guidelines
(tone words choose the voice; words to use are worked in; banned words never appear), the
notes/topic, and what the photos show (orientation, colours, brightness, date, counts).
"""

from __future__ import annotations

import random
import re

from generation.providers.base import CaptionBrief, CaptionDraft, MediaReading

MODEL = "builtin-writer-1"
_STOP_WORDS = (
    "a an and are as at be but by for from has have here how i in is it its just me more my new of on or our out "
    "so some that the their them then there these they this to too up us was we were what when where which who "
    "will with you your yours about after again all also am any because been before being can could did do does "
    "done get got into like make made many most much need now only over same should than very want way well"
)
STOP = frozenset(_STOP_WORDS.split())

HOOKS = {
    "warm": [
        "There's nothing quite like {topic}.",
        "{Topic}, done the {business} way.",
        "Here's what {topic} looks like in {city}.",
        "A little {topic} to brighten your feed.",
        "We love days like this: {topic}.",
        "Proud of this one — {topic}.",
        "Say hello to {topic}.",
        "From our {industry} team to you: {topic}.",
    ],
    "playful": [
        "Guess what's new? {Topic}!",
        "Okay {city}, you asked for {topic}…",
        "Plot twist: {topic} 🎉",
        "Stop scrolling — {topic} is here!",
        "Tell us this doesn't make your day: {topic} ✨",
        "New in: {topic}, and we're a little obsessed.",
        "Our favourite kind of Tuesday: {topic}.",
        "You + {topic} = a very good idea.",
    ],
    "professional": [
        "Introducing {topic}.",
        "A closer look at {topic}.",
        "{Topic}: what our team delivered.",
        "Quality you can see: {topic}.",
        "Behind the work — {topic}.",
        "{Business} presents {topic}.",
        "Project spotlight: {topic}.",
        "Detail matters. {Topic}.",
    ],
}
# Used when the topic is the first sentence of the notes: the notes then speak for themselves.
LEADS = {
    "warm": ["Fresh from the {business} crew:", "A quick update from {city}:", "This week at {business}:",
             "Good news from the team:", "We wanted to share this one:"],
    "playful": ["Hot off the press 🔥", "Okay, this one made our day:", "Breaking news from {business}:",
                "You won't believe this week:", "Psst, {city}:"],
    "professional": ["Project update:", "Recent work from {business}:", "From our {industry} team:",
                     "Case in point:", "Latest from {business}:"],
}  # fmt: skip
CLOSERS = {
    "warm": [
        "Thanks for supporting a local {industry} business in {city}.",
        "We'd love to do the same for you.",
        "Made with care, right here in {city}.",
        "Your neighbours at {business} are always happy to help.",
        "This is why we love what we do.",
    ],
    "playful": [
        "Tag someone who needs to see this!",
        "Drop a 🙌 if you're in.",
        "Don't say we didn't warn you.",
        "Who's coming by this week?",
        "Your move, {city}.",
    ],
    "professional": [
        "Serving {city} with {industry} done right.",
        "Talk to our team about your next project.",
        "Trusted by neighbours across {city}.",
        "Every detail, handled.",
        "That is the {business} standard.",
    ],
}
CTAS = {
    "warm": ["Message us to book yours", "Stop by and say hi", "Get in touch to plan yours", "Book a visit today"],
    "playful": [
        "Grab yours before they're gone", "Come see for yourself", "Slide into our DMs", "Tap the link to book",
    ],
    "professional": [
        "Request a quote today", "Book a consultation", "Contact us to get started", "Learn more on our website",
    ],
}  # fmt: skip
GENERIC_TAGS = ["ShopLocal", "SupportLocal", "SmallBusiness", "LocalBusiness", "MadeLocal", "CommunityFirst"]
VOICES = {
    "playful": ("playful", "fun", "cheeky", "bubbly", "inviting", "witty", "cheerful"),
    "professional": ("professional", "expert", "polished", "formal", "corporate", "confident", "authoritative"),
}


def keywords(text: str, limit: int = 4) -> list[str]:
    """Meaningful words of ``text`` in order of appearance (no stop words, at least 4 letters)."""
    out: list[str] = []
    for word in re.findall(r"[^\W\d_][\w'-]*", text or ""):
        clean = word.strip("'-").lower()
        if len(clean) >= 4 and clean not in STOP and clean not in out:
            out.append(clean)
    return out[:limit]


def voice_of(tone: tuple[str, ...]) -> str:
    words = " ".join(tone).lower()
    for voice, markers in VOICES.items():
        if any(m in words for m in markers):
            return voice
    return "warm"


def scrub(text: str, avoid: tuple[str, ...]) -> str:
    """``text`` without any word containing a banned word (or a banned phrase), tidied up."""
    for banned in sorted(avoid, key=len, reverse=True):
        if not banned:
            continue
        if " " in banned:
            text = re.sub(re.escape(banned), "", text, flags=re.IGNORECASE)
        else:
            text = re.sub(rf"[#@]?[\w'-]*{re.escape(banned)}[\w'-]*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([,.!?;:])", r"\1", text)
    text = re.sub(r"([,;:])(?=[,.!?;:])", "", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _sentence(text: str) -> str:
    text = " ".join(text.split()).strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def _topic_of(brief: CaptionBrief, rng: random.Random) -> str:
    if brief.topic.strip():
        return " ".join(brief.topic.split())[:120]
    first = re.split(r"(?<=[.!?])\s|\n", brief.notes.strip(), maxsplit=1)[0] if brief.notes.strip() else ""
    first = first.strip(" .!?")
    if first and len(first) <= 70:
        return first
    words = keywords(brief.notes, 3)
    if words:
        return " ".join(words)
    photos = sum(1 for m in brief.media if m.kind == "image")
    if photos:
        return rng.choice(["fresh photos from {business}", "a new look at our work", "this week's work"])
    return rng.choice(["what's new at {business}", "our latest {industry} work", "a fresh update"])


def _when(media: list[MediaReading]) -> str:
    dates = sorted(m.taken_at for m in media if m.taken_at)
    return f"{dates[-1]:%B} {dates[-1].day}" if dates else ""


def media_sentence(media: list[MediaReading], rng: random.Random) -> str:
    photos = [m for m in media if m.kind == "image"]
    videos = [m for m in media if m.kind == "video"]
    if not media:
        return ""
    parts: list[str] = []
    lead = photos[0] if photos else None
    if lead and lead.colours:
        colours = " and ".join(lead.colours[:2])
        light = {"bright": "bright, airy", "soft": "soft", "moody": "moody, low"}.get(lead.brightness, "natural")
        parts.append(
            rng.choice(
                [
                    f"All {colours} tones in {light} light",
                    f"Look at those {colours} colours",
                    f"{colours.capitalize()} everywhere you look",
                    f"Captured in {light} light, full of {colours}",
                ]
            )
        )
        if lead.orientation == "landscape":
            parts[-1] += rng.choice([", with the whole scene in view", ", wide enough to take it all in", ""])
        elif lead.orientation == "portrait":
            parts[-1] += rng.choice([", framed tall and close", ", up close", ""])
    when = _when(media)
    if when:
        parts.append(rng.choice([f"shot on {when}", f"from {when}", f"taken {when}"]))
    counted = []
    if len(photos) > 1:
        counted.append(f"{len(photos)} photos")
    if videos:
        counted.append("a video" if len(videos) == 1 else f"{len(videos)} videos")
    if counted:
        parts.append(rng.choice(["swipe through " + " and ".join(counted), " and ".join(counted) + " to enjoy"]))
    return _sentence(" — ".join(parts)) if parts else ""


def _fill(template: str, values: dict[str, str]) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value).replace("{" + key.capitalize() + "}", value[:1].upper() + value[1:])
    return out


def hashtags_for(brief: CaptionBrief, topic: str, rng: random.Random) -> list[str]:
    city = brief.location.split(",")[0].strip()
    state = brief.location.split(",")[1].strip() if "," in brief.location else ""
    industry = brief.industry.strip()
    candidates: list[str] = []
    if industry:
        candidates.append(industry)
    if city:
        candidates += [f"{city} {industry}" if industry else city, f"{city} {state}" if state else city]
    candidates += [w for w in keywords(f"{topic} {brief.notes}", 6) if not w.endswith(("ed", "ly", "ing"))][:3]
    for group in brief.hashtag_groups:
        candidates += group
    candidates += brief.guidelines.use[:1]
    candidates += rng.sample(GENERIC_TAGS, 2)
    out: list[str] = []
    seen: set[str] = set()
    for raw in candidates:
        tag = re.sub(r"[^\w]", "", "".join(w[:1].upper() + w[1:] for w in str(raw).split()), flags=re.UNICODE)[:40]
        if not tag or tag.isdigit() or tag.lower() in seen:
            continue
        if any(b and b.replace(" ", "") in tag.lower() for b in brief.guidelines.avoid):
            continue
        seen.add(tag.lower())
        out.append(tag)
    return out[:20]


def alt_text_for(media: list[MediaReading], topic: str) -> str:
    photos = [m for m in media if m.kind == "image"]
    if not photos:
        return ""
    lead = photos[0]
    look = ", ".join(x for x in (lead.orientation, lead.brightness) if x)
    colours = f" in {' and '.join(lead.colours[:2])} tones" if lead.colours else ""
    count = f" (first of {len(photos)} photos)" if len(photos) > 1 else ""
    return _sentence(f"{look.capitalize() + ' photo' if look else 'Photo'}{colours} showing {topic}{count}")[:1000]


class BuiltinCaptions:
    name = "builtin"
    model = MODEL

    def write(self, brief: CaptionBrief) -> CaptionDraft:
        rng = random.Random(brief.seed)
        voice = voice_of(brief.guidelines.tone)
        values = {
            "business": brief.client_name or "our team",
            "city": brief.location.split(",")[0].strip() or "town",
            "industry": brief.industry or "local",
        }
        topic = _fill(_topic_of(brief, rng), values)
        values["topic"] = topic
        body = [_sentence(s) for s in re.split(r"(?<=[.!?])\s+|\n+", brief.notes.strip()) if s.strip()][:4]
        if brief.topic.strip() or not body:
            hook = _fill(rng.choice(HOOKS[voice]), values)
        else:  # no topic given: the notes speak for themselves after a short lead-in
            hook = _fill(rng.choice(LEADS[voice]), values)
        extras = [media_sentence(brief.media, rng)]
        if brief.guidelines.use and rng.random() < 0.8:
            word = rng.choice(brief.guidelines.use)
            extras.append(rng.choice([f"Always {word}.", f"{word.capitalize()}, every time.", f"Simply {word}."]))
        if rng.random() < 0.5:
            extras.reverse()
        middle = [*extras, *body] if brief.topic.strip() and rng.random() < 0.4 else [*body, *extras]
        closer = _fill(rng.choice(CLOSERS[voice]), values)
        parts = [p for p in [hook, *middle, closer] if p]
        caption = scrub(" ".join(parts), brief.guidelines.avoid) or scrub(hook, brief.guidelines.avoid)
        cta = scrub(rng.choice(CTAS[voice]), brief.guidelines.avoid)
        return CaptionDraft(
            topic=scrub(topic, brief.guidelines.avoid) or values["business"],
            caption=caption or values["business"],
            hashtags=hashtags_for(brief, topic, rng),
            alt_text=scrub(alt_text_for(brief.media, values["topic"]), brief.guidelines.avoid),
            cta=cta,
            model=MODEL,
        )
