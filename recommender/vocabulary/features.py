"""Feature words: what people type about a song's sound, and which way each pushes which feature.

Each entry is a regular expression (matched on word boundaries in the lowercased request) and
the wishes it stands for: (feature, "high" | "low" | "mid" | "max", the label shown for it); a word for two traits
("upbeat": energetic, then happy) weighs its second as a concept's secondary trait. Longer phrases are
listed before the words they contain, so "rap-heavy" is not read as "rap". A negation just before a
term ("not", "no", "anything but", ...) turns high into low and back.
"""

from __future__ import annotations

FEATURE_TERMS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        r"instrumentals?|no vocals|without vocals|no lyrics|without lyrics|vocal-?less",
        (("instrumentalness", "high", "instrumental"),),
    ),
    # "clean" is a bound (explicit at most 0): it must keep every explicit song out, not just rank them lower.
    (
        r"clean(?: versions?| lyrics| songs?| tracks?)?|no explicit(?: lyrics| content| songs?)?|non-?explicit|"
        r"not explicit|family[- ]friendly|kid[- ]friendly|for kids|child[- ]friendly|radio[- ]edits?|"
        r"no (?:swearing|cursing|profanity)|without (?:swearing|cursing|profanity|explicit lyrics)|profanity[- ]free",
        (("explicit", "max", "clean"),),
    ),
    (r"explicit(?: lyrics| content)?|uncensored|nsfw|swearing|cursing", (("explicit", "high", "explicit"),)),
    (r"with vocals|vocals|vocal|singing", (("instrumentalness", "low", "with vocals"),)),
    (r"minor[- ]key|in (?:a )?minor(?: key)?|minor chords?", (("mode", "low", "minor key"),)),
    (r"major[- ]key|in (?:a )?major(?: key)?|major chords?", (("mode", "high", "major key"),)),
    (
        r"chill(?:ed|er|y|out)?|chil|laid[- ]back|mellow(?:er)?|calm(?:er|ing)?|sooth(?:ing|e)|gentle|more relaxed|"
        r"low[- ]energy|wind(?:ing)? down|easy[- ]going|serene|tranquil|vibey|smooth",
        (("energy", "low", "calm"),),
    ),
    (
        r"energetic|high[- ]energy|intense|more energy|lively|powerful|energi[sz](?:e|ing)|"
        r"(?:give me|gimme|need(?: some)?|want(?: some)?) energy",
        (("energy", "high", "energetic"),),
    ),
    (r"up-?beat|more upbeat", (("energy", "high", "energetic"), ("valence", "high", "upbeat mood"))),
    (
        r"sad(?:der)?|melanchol(?:y|ic)|depress(?:ing|ed)|"
        r"gloomy|somber|sombre|blue|emotional|bittersweet|emo|(?:a )?(?:downer|bummer)s?|"
        r"(?:rough|bad|hard|tough|shit+y|crappy) (?:day|week|night)",
        (("valence", "low", "sad"),),
    ),
    (r"dark(?:er)?|moody|brooding|angsty", (("valence", "low", "dark mood"),)),
    (
        r"happ(?:y|ier)|cheerful|joyful|feel[- ]?good|uplifting|sunny|positive|bright|cheery|fun|good vibes|"
        r"pick[- ]?me[- ]?ups?|cheer (?:me|you|us) up|mood (?:boost(?:er|ing)?|lift(?:er|ing)?)|serotonin|dopamine|"
        r"good mood|hope(?:ful)?|optimistic|inspir(?:ing|ational)",
        (("valence", "high", "happy"),),
    ),
    # Said before "danceable" is read: "hard to dance to" is the other end of the scale.
    (
        r"(?:hard|impossible|difficult|tough) to dance to|undanceable|un-danceable",
        (("danceability", "low", "hard to dance to"),),
    ),
    (
        r"danceable|dance(?:s|y)?|dancing|groov(?:y|e)|dance ?floor|"
        r"(?:wanna|want to|make (?:me|you|us)|get (?:me|you|us)|something to|songs to|music to|need to|gotta) move|"
        r"get(?:ting)? (?:me |us )?moving|move (?:my|your|our) (?:body|bodies|feet|hips)|bust a move|"
        r"(?:good|nice|catchy|sick|great) beats?|basslines?|bass[- ]?heavy|bassy",
        (("danceability", "high", "danceable"),),
    ),
    (
        r"acoustic|unplugged|stripped(?:[- ]down)?|more acoustic|guitar|piano|raw|(?:real|live) instruments|organic",
        (("acousticness", "high", "acoustic"),),
    ),
    (r"electronic|synth(?:y|s)?|synthesi[sz]ed|edm-?y", (("acousticness", "low", "electronic"),)),
    (r"live|concert|live recording[s]?|crowd", (("liveness", "high", "live"),)),
    (
        r"rap[- ]heavy|rap verses|rapping|rapped|spoken(?: word)?|lots of rap|wordy|speechy|bars|verses",
        (("speechiness", "high", "rap-heavy"),),
    ),
    (r"rap", (("speechiness", "high", "rap"),)),
    (r"loud(?:er)?|blasting|noisy", (("loudness", "high", "loud"),)),
    (r"quiet(?:er)?|soft(?:er)?|hushed|whisper(?:y|ing)?", (("loudness", "low", "quiet"),)),
    # Neither end of a scale: aimed at its middle (``Scale.middle``).
    (r"(?:mid|medium|moderate|middling)[- ]?(?:tempo|paced?)", (("bpm", "mid", "medium tempo"),)),
    (r"(?:mid|medium|moderate|middling|in[- ]between|average) energy", (("energy", "mid", "medium energy"),)),
    (r"fast(?:er)?|quick tempo|high[- ]tempo|high bpm|speedy|up-?tempo|rapid", (("bpm", "high", "fast"),)),
    # A ballad (or a slow burn) is soft first and slow second: "no ballads" wants energy, whatever the tempo.
    (
        r"ballads?|slow[- ]burn(?:s|ing|ers?)?",
        (("energy", "low", "ballad"), ("bpm", "low", "slow")),
    ),
    (r"slow(?:er|ish)?|slow[- ]tempo|low bpm|down-?tempo", (("bpm", "low", "slow"),)),
    (
        # "Hits different" is chat for "moves me", not for popularity.
        r"popular|hits?(?! diff)|chart[- ]?top(?:ping|pers?)|mainstream|famous|well[- ]known|biggest|smash(?:es)?|"
        r"viral|trending|tik ?tok|over-?played|overdone|obvious(?: ones| picks| choices| songs| hits)?|"
        r"radio (?:hits|songs)|top (?:\d+|ten|twenty|forty|fifty|hundred)|best of|greatest|basic",
        (("popularity", "high", "popular"),),
    ),
    (
        r"underground|obscure|lesser[- ]known|deep cuts?|hidden gems?|unknown|niche|underrated|"
        # "songs nobody's heard of", "stuff ppl havent heard 100 times"
        r"(?:nobody'?s?|no ?one'?s?|not many (?:people|ppl)|few (?:people|ppl)|(?:people|ppl|i|you) (?:have ?n'?t|"
        r"havent|never)) (?:(?:\w+ ){0,2}heard(?: of| before)?|knows?(?: (?:of|about))?)"
        r"(?: (?:a (?:million|hundred|thousand)|\d+) times)?",
        (("popularity", "bottom", "lesser-known"),),
    ),
    # Nobody asks for boring songs: "chill but not boring" is calm songs with some groove.
    (r"boring|bland|dull|snooze(?:fest)?", (("danceability", "low", "boring"),)),
    (r"long(?:er)? (?:songs?|tracks?|ones)|lengthy", (("length", "high", "long"),)),
    (r"short(?:er)? (?:songs?|tracks?|ones)|quick (?:songs?|tracks?)", (("length", "low", "short"),)),
)
# A feature's name as people type it beside a number ("energy over 80", "75+ danceability", "popularity < 50",
# "valence at least 0.7"): the number is a bound on the feature's own scale.
FEATURE_NAMES_TYPED: dict[str, str] = {
    # Each also by the catalog's own column name ("nrgy", "dnce", "val", "acous", "spch", "pop"), which people
    # who have seen the CSV type beside a number: "dnce 75+", "pop 80+".
    "energy": r"energy(?: level)?|nrgy|nrg",
    "danceability": r"danceab(?:ility|ilty|le)|dancability|dance ?score|dnce|dance",
    "valence": r"valence|positivity|happiness|val",
    "acousticness": r"acousticness|acoustic(?:ness)? score|acoustic|acous",
    "speechiness": r"speechiness|speech(?:iness)? score|speechy|spch",
    "liveness": r"liveness|live(?:ness)? score",
    "popularity": r"popularity(?: score)?|pop score|popular|pop|hits",
    "loudness": r"loudness|volume|db|decibels?",
    "instrumentalness": r"instrumentalness",
    "bpm": r"bpm|tempo|beats per minute",
}
# Words that negate what follows them: a feature word, a mood, a genre or an artist.
NEGATION = (
    r"(?:not|no|non|neither|without|nothing|nothin'?|never|(?<!or )less|isn'?t|aren'?t|ain'?t|don'?t want|do not want|"
    r"don'?t (?:give|play|send|show) (?:me|us)|avoid|zero|"
    r"anything but|"
    r"any(?:one|body| ?one| artists?| bands?| singers?| songs?)? (?:but|except)|"
    r"anything except|except(?: for)?|other than|but not|excluding|minus|no more|skip|hate|not into|"
    # Chat for "not": "not feeling rap today", "sick of sad songs"; "too fast" complains of it.
    r"not feeling|not in the mood for|sick of|tired of|done with|had enough of|too)"
    r"(?:[- ](?:too|to|very|so|super|that|really|a|any|anything|more|as|of|the|from|in|by|with|songs?|tracks?|music))*"
    r"[- ]"
)
