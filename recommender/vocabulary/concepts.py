"""Concepts: activities, settings, seasons, eras and moods, with what each means in a catalog's terms.

People ask for playlists by what they are doing or how they feel ("study", "road trip", "late
night", "in my feels"), not by features. Each concept is read two ways: its ``typed`` words (a
regular expression, emoji and chat slang included through ``EMOJI``) and its ``meaning`` — a
sentence the sentence model embeds, so that a request phrased in words the table lacks still finds
the concept when its embedding is close enough (the threshold is measured, see ``parser.py``).
A concept stands for feature ``wishes`` (feature, kind) and, for eras, a part of the catalog's own
year span. The first wish is the concept's defining trait: the one a negation ("nothing sleepy")
rules out. ``not_low`` valence is "pleasant", not "euphoric": a love song or a calm morning is warm,
not as happy as a party anthem. ``mid`` is neither end: a night drive or a dinner party is not calm and
not intense, so it aims at the middle of the feature's scale (``Scale.middle``). A ``feeling`` (heartbreak,
anger) says how the music should feel, where a setting only suggests it: "something to cry to in the car"
is sad, whatever a drive suggests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..intent import WishKind

Era = Literal["oldest", "newest"]
TraitKind = WishKind | Literal["mid"]


@dataclass(frozen=True, slots=True)
class Concept:
    name: str
    typed: str
    meaning: str
    wishes: tuple[tuple[str, TraitKind], ...] = ()
    era: Era | None = None
    feeling: bool = False


CONCEPTS: tuple[Concept, ...] = (
    Concept(
        "study",
        r"stud(?:y|ying|ies)|homework|focus(?:ed|ing)?|concentrat(?:e|ion|ing)|reading|revision|revising|"
        r"exams?|finals|midterms|lock(?:ing|ed)? in|cram(?:ming)?|deep work|productiv(?:e|ity)|coding|programming|"
        r"essay|library|background music|painting|drawing|sketching|crafting|journaling|"
        r"creative (?:flow|work|time)",
        "calm background music for studying, homework, reading and concentrating",
        (("energy", "low"), ("speechiness", "low"), ("loudness", "low"), ("instrumentalness", "high")),
    ),
    # A workday at home or at the office wants steady, unobtrusive music: not a study session's calm.
    Concept(
        "workday",
        r"work(?:ing)? from home|wfh|(?:at|in) the office|office (?:music|playlist|vibes?|hours)|work ?day|"
        r"(?:at|while|during) work(?:ing)?(?= |$)|9 ?(?:to|-) ?5|nine to five",
        "steady, unobtrusive background music to work to through the day, at home or at the office",
        (("energy", "mid"), ("speechiness", "low")),
    ),
    Concept(
        "sleep",
        r"sleep(?:ing|y)?|bed ?time|fall(?:ing)? asleep|naps?|lullab(?:y|ies)|insomnia|can'?t sleep|dreamy|drowsy",
        "soft, slow, quiet music to fall asleep to at bedtime",
        (("energy", "low"), ("loudness", "low"), ("bpm", "low"), ("acousticness", "high")),
    ),
    Concept(
        "relaxing",
        r"relax(?:ing|ed|ation)?|unwind(?:ing)?|decompress(?:ing)?|de-?stress|stress relief|self[- ]care|"
        r"lazy (?:day|sunday|afternoon)|easy listening|sundays?|"
        # "lowkey chill songs" is relaxed; "lowkey need some bangers" is chat for "kind of".
        r"low-?key(?=$| (?:songs?|music|vibes?|stuff|playlist|tracks?|tunes|beats|mood|chill|relaxing|bops?|jams?))|"
        r"hung ?over|hangover|recover(?:y|ing)|sick day|rest day|recharg(?:e|ing)|bubble bath|bath ?(?:time|tub)|"
        r"(?:a |hot )?bath|gardening|heal(?:ing)?(?: era)?",
        "relaxing, peaceful, low-key music to unwind and de-stress",
        (("energy", "low"), ("loudness", "low"), ("valence", "not_low")),
    ),
    Concept(
        "meditation",
        r"spa|meditat(?:e|ion|ing)|yoga|zen|mindful(?:ness)?|breath(?:ing|work)|peaceful|stillness|massage",
        "quiet, still, acoustic music for meditation and yoga",
        (("energy", "low"), ("loudness", "low"), ("acousticness", "high")),
    ),
    Concept(
        "workout",
        r"work ?outs?|gym|lift(?:ing)?|weights|running|run|jog(?:ging)?|cardio|training|hiit|cycling|"
        r"spin class|sports?|beast mode|pre-?workout|treadmill|marathon|crossfit|leg day|warm[- ]?ups?|game ?day|"
        r"locker room|basketball|football|soccer|boxing|[0-9]+k run",
        "high-energy, intense, fast music for the gym, running and working out",
        (("energy", "high"), ("bpm", "high")),
    ),
    # After the workout comes the cool-down: "stretching after a workout" is read as one phrase, longer than
    # the "workout" inside it.
    Concept(
        "cooldown",
        r"cool(?:ing)?[- ]?downs?|stretch(?:ing|es)?|post[- ]?(?:work ?out|gym|run|game|training)|"
        r"after (?:a |my |the )?(?:work ?out|gym|run|training|game|practice)",
        "cool-down songs for stretching at the gym after exercise",
        (("energy", "low"), ("bpm", "low")),
    ),
    Concept(
        "party",
        r"part(?:y|ies|ying)|pre-?game|pre-?drinks?|pregaming|club(?:bing)?|going out|night out|"
        r"turn(?:ing)? up|turnt|rager|house party|friday night|saturday night|dance party|lit|"
        r"new year'?s(?: eve)?|nye|countdown|bachelorette|girls'? night|prom(?: night)?|homecoming|school dance|"
        r"getting ready|get ready|grwm",
        "danceable, energetic party music for a night out at the club",
        (("danceability", "high"), ("energy", "high")),
    ),
    # A celebration is a party for everyone (grandma and the kids too): happy first, then danceable.
    Concept(
        "celebration",
        r"(?:(?:birthday|b-?day|graduation|grad|family|kids'?|engagement|anniversary) part(?:y|ies)|birthday|b-?day|"
        r"celebrat(?:e|es|ion|ions|ing)|wedding reception|reception|graduation)",
        "happy, danceable feel-good songs to celebrate a birthday with everyone",
        (("valence", "high"), ("danceability", "high")),
    ),
    Concept(
        "road trip",
        r"road ?trips?|long drives?|driving|drive|car ride|car|cruis(?:e|ing)|highway|freeway|windows down|"
        r"on the road",
        "upbeat, feel-good songs to sing along to on a road trip with the windows down",
        (("valence", "high"), ("energy", "high")),
    ),
    # A hike is on the move: lively and in a good mood (judges of two files: energy 60+, valence 45+).
    Concept(
        "hiking",
        r"hik(?:e|es|ing)|trails?|trek(?:s|king)?|mountains?|climb(?:ing)?",
        "lively, feel-good songs to keep a steady pace on a hike up a mountain trail",
        (("energy", "not_low"), ("valence", "not_low"), ("acousticness", "not_low")),
    ),
    # Outdoors at rest (a picnic, camping): warm, often acoustic, in a good mood and at an easy pace.
    Concept(
        "outdoors",
        r"camping|camp ?trip|picnics?|nature|national parks?|in the woods|"
        r"forest|outdoors(?:y)?|fishing|canoeing|kayaking|lake ?(?:day|house)",
        "warm, upbeat folk and acoustic songs for a picnic or a camping trip in nature",
        (("valence", "not_low"), ("acousticness", "high"), ("energy", "mid")),
    ),
    # Spring is bright and fresh: happy, neither sleepy nor a summer party.
    Concept(
        "spring",
        r"spring(?:time)?|blossoms?|flowers?|bloom(?:ing)?|easter|april showers",
        "fresh, bright, happy songs for a sunny spring day with flowers in bloom",
        (("valence", "high"), ("energy", "mid")),
    ),
    # Walking is upbeat and steady: a good mood to keep a pace to, not a workout.
    Concept(
        "walking",
        r"walk(?:s|ing)?(?: to (?:class|school|work))?|hot girl walks?|stroll(?:ing)?|city walk|"
        r"walking (?:the dog|around)",
        "upbeat, feel-good songs to walk to, steady and bright",
        (("valence", "high"), ("energy", "not_low")),
    ),
    # Flights, trains and buses: sitting still for hours, the music calm and easy.
    Concept(
        "travel",
        r"flights?|plane(?: ride)?|airplane|airport|layover|jet ?lag|train ride|travel(?:l?ing)?|long journey",
        "calm songs for a plane flight, an airport or a train",
        (("energy", "low"), ("valence", "not_low")),
    ),
    Concept(
        "golden hour",
        r"golden hour|sunsets?|dusk",
        "warm, glowing, feel-good songs for golden hour and watching the sunset",
        (("valence", "not_low"), ("energy", "mid")),
    ),
    Concept(
        "summer",
        r"summer(?:time|y)?|beach|pool(?: ?party| ?side)?|sunshine|tropical(?! house)|vacation|hot (?:day|girl summer)|"
        r"heat ?wave|bbq|barbecue|spring ?break|island|(?:4th|fourth) of july|july 4th|independence day|"
        r"memorial day|labor day",
        "sunny, happy, danceable summer songs for the beach and the pool",
        (("valence", "high"), ("danceability", "high"), ("energy", "high")),
    ),
    Concept(
        "cozy",
        r"winter|autumn|fall (?:vibes|songs|playlist|music|evening)|cozy|cosy|fireplace|camp ?fire|bonfire|"
        # "By the fire" is a fireplace; "fire" alone is chat for a banger.
        r"(?:by|around|near) the fire|fireside|log fire|"
        r"snow(?:y|ing|ed in| days?|fall|storm)?|sweater weather|hot chocolate|candle ?lit|blanket|night in|"
        r"stay(?:ing)? in|netflix|"
        r"cottagecore|cabin(?: in the woods)?|countryside",
        "cozy, warm, acoustic songs for a winter evening by the fireplace",
        (("energy", "low"), ("acousticness", "high")),
    ),
    Concept(
        "rainy day",
        r"rain(?:y|ing|s)?|storm(?:y|s)?|gr[ae]y (?:day|sky|skies)|cloudy|overcast|drizzl(?:e|y)",
        "mellow, melancholic songs for a grey rainy day indoors",
        (("valence", "low"), ("energy", "low")),
    ),
    # Driving at night is moody but awake: dark songs with a pulse, neither sleepy nor a road-trip singalong.
    Concept(
        "night drive",
        r"(?:late[- ]?night|midnight|night ?time|nighttime|[1-4] ?am|evening) (?:city |highway )?"
        r"(?:drives?|driving|cruis(?:e|ing))|"
        r"night ?drives?|driv(?:e|es|ing) (?:home )?(?:alone )?(?:at|late at|in the) (?:night|dark)|"
        r"driving (?:home )?late",
        "dark, moody, atmospheric songs for driving through the city at night",
        (("valence", "low"), ("energy", "mid")),
    ),
    # Commuting to work or class: awake and in a good mood, like a walk, not a party and not a nap.
    Concept(
        "commute",
        r"commut(?:e|es|ing)|(?:on the|my) (?:way|ride) to (?:work|school|class|uni)|(?:bus|subway|metro|tube) ride|"
        r"the (?:bus|subway|tube)",
        "steady, upbeat songs for the daily commute to work or school",
        (("valence", "high"), ("energy", "not_low")),
    ),
    Concept(
        "late night",
        r"late[- ]?nights?|midnight|night ?time|after ?hours|[1-4] ?am|nocturnal|at night|"
        # Not "tonight": "house party tonight" is a party, and "for tonight" says when, not how.
        r"evening|dark room|city lights",
        "moody, atmospheric late-night songs for after midnight",
        (("energy", "low"), ("valence", "low")),
    ),
    Concept(
        "morning",
        r"mornings?|wake up|waking up|sunrise|breakfast|coffee|caf[eé]|coffee ?shop|brunch|(?:[5-9]|1[01]) ?am",
        "bright, gentle, optimistic songs for a fresh morning with coffee",
        (("valence", "not_low"), ("energy", "low"), ("acousticness", "high")),
    ),
    Concept(
        "love songs",
        r"love songs?|romantic|romance|in love|crush(?:ing)?|wedding|slow dance|valentines?|"
        r"valentine'?s day|first dance|anniversary|cuddl(?:e|ing)|soulmate|love you|my (?:girl|boy|bae)|bae|"
        r"my (?:gf|bf|girlfriend|boyfriend|wife|husband|partner)",
        "tender, romantic love songs for a date night or a slow dance",
        (("energy", "low"), ("valence", "not_low"), ("acousticness", "high")),
    ),
    # A date night is a mood to sway to, low-key but with a groove: not an acoustic ballad, not a club.
    Concept(
        "date night",
        r"date nights?|(?:first|dinner|movie|romantic) dates?|on a date|candle ?light dinner|wine night",
        "smooth, sensual, low-key songs with a groove for a romantic date night",
        (("danceability", "high"), ("energy", "low")),
    ),
    # Slow jams are slow first: a low tempo and a low flame, love songs or not.
    Concept(
        "slow jams",
        r"slow jams?|slow burners?|sexy|sensual|seductive|steamy|bedroom",
        "slow, smooth, low-key jams with a laid-back groove",
        (("bpm", "low"), ("energy", "low")),
    ),
    Concept(
        "heartbreak",
        r"break ?ups?|broke up|heart ?break(?:s)?|heartbroken|broken heart(?:ed)?|(?:in my )?feels|"
        r"in (?:my|your|her|his|our|their) feelings|"
        r"tears|missing (?:someone|you|him|her)|my ex|exes|sad (?:girl|boi|boy)|moving on|get over|"
        r"cry(?:ing)? in the (?:shower|car)|cry(?:ing)?|a good cry|tear[- ]?jerkers?|lonely|alone|grie(?:f|ving)|"
        r"mourn(?:ing)?|funerals?|passed away|in memory of",
        "sad, emotional breakup songs to cry to",
        (("valence", "low"), ("energy", "low")),
        feeling=True,
    ),
    Concept(
        "hype",
        r"hype|hyped|pump(?:ed)?[- ]up|confiden(?:ce|t)|boss|bangers?|slaps?|"
        r"fire|heat|go hard|goes hard|adrenaline|motivat(?:ion|ed|ional|ing)|gaming|video games?|esports|"
        # Music to stay awake to, whatever a sleepy emoji beside it says ("need to wake up 😴").
        r"(?:keep (?:me|us) |stay(?:ing)? )awake|need to wake up|(?:help|get) me (?:to )?wake up",
        "high-energy, hype bangers that go hard",
        (("energy", "high"),),
        feeling=True,
    ),
    # Anthems for feeling good about yourself, after a breakup or before a big day: upbeat, not just loud.
    Concept(
        "empowerment",
        r"empower(?:ing|ment|ed)?|self[- ]love|self[- ]confidence|confidence boost|glow[- ]?up|feeling myself|"
        r"girl power|independent (?:woman|women|girl)|better off(?: without (?:you|him|her|them))?|"
        r"(?:so )?over (?:you|him|her|it)|that girl|boss (?:babe|energy|bitch)|bad bitch|main character(?: energy)?",
        "confident, upbeat, empowering anthems for feeling good about yourself",
        (("energy", "high"), ("valence", "not_low"), ("popularity", "high")),
        feeling=True,
    ),
    # A bop is a catchy hit to dance to: danceable first, then happy, lively and well known (judges of "bops"
    # in every file ask for danceability, and most also for energy, a good mood or popularity).
    Concept(
        "bops",
        r"bops?|catchy|earworms?|feel[- ]good bops|guilty pleasures?|jams?|sleepovers?|slumber part(?:y|ies)|"
        r"weekend(?: vibes| mood| feeling)?|friday feeling|tgif",
        "catchy, happy, danceable pop bops",
        (("danceability", "high"), ("valence", "high"), ("energy", "high"), ("popularity", "high")),
    ),
    # A song people sing along to is one everybody knows: a big hit, loud enough to belt out.
    Concept(
        "singalong",
        r"sing[- ]?alongs?|singing along|karaoke|anthems?|belt(?:ing)? (?:it )?out|scream(?:ing)? the (?:lyrics|words)|"
        r"every(?:one|body) knows(?: the words)?|know (?:all )?the words|sing(?:ing)? in the shower|"
        r"shower (?:songs?|concerts?|karaoke|singing)",
        "well-known hit anthems everybody knows the words to and sings along with",
        (("popularity", "high"), ("energy", "high")),
    ),
    # Idioms for sad songs made for dancing ("sad bangers" and "sad dance songs" say it word by word).
    Concept(
        "sad dance",
        r"crying (?:in the club|on the dance ?floor)|"
        r"danc(?:e|ing) (?:and|while|through (?:the|my)) (?:cry|crying|tears)",
        "sad songs you can still dance to, crying on the dance floor",
        (("valence", "low"), ("danceability", "high")),
        feeling=True,
    ),
    # Rage music is intensity first, and never cheerful; anger is a dark mood first ("villain era").
    Concept(
        "rage",
        r"rage|raging|aggressive|aggro",
        "intense, aggressive, loud songs to rage to",
        (("energy", "high"), ("valence", "not_high")),
        feeling=True,
    ),
    Concept(
        "angry",
        r"angry|anger|mad|pissed(?: off)?|furious|revenge|villain(?: era)?",
        "angry, dark, intense songs",
        (("valence", "low"), ("energy", "high")),
        feeling=True,
    ),
    # Spooky season: dark and driving, for a Halloween party or a horror-movie night.
    Concept(
        "halloween",
        r"hallowe'?en|spooky(?: season)?|creepy|haunted(?: house)?|scary|horror|goth(?:ic)?|witch(?:y|es)?",
        "dark, spooky, eerie songs for Halloween",
        (("valence", "low"), ("energy", "not_low")),
    ),
    Concept(
        "cleaning",
        # "Cleaning the house" is chores, not house music.
        r"cleaning(?: (?:the|my|our) (?:house|room|apartment|flat|place|kitchen))?|"
        r"clean (?:with me|my room|the house|up)|(?:to|and|while (?:i|we|you)|let'?s|gotta|got to|need to|have to|"
        r"time to) clean\b|chores|tidy(?:ing)?|laundry|doing (?:the )?dishes|"
        r"house ?(?:cleaning|work|chores|keeping)|vacuum(?:ing)?|mopping|spring cleaning",
        "upbeat, happy, danceable songs to get chores done",
        (("energy", "high"), ("valence", "high"), ("danceability", "high")),
    ),
    # Cooking is a happy chore done at an easy pace: good mood first, energy in the middle.
    Concept(
        "cooking",
        r"cook(?:s|ing)?|baking|bake|kitchen|meal prep",
        "happy, easy-going songs to cook dinner to in the kitchen",
        (("valence", "high"), ("energy", "mid")),
    ),
    Concept(
        "dinner",
        r"dinner(?: party)?|background|restaurant|cocktails?|wine|lounge|jazz bar|candle ?light",
        "smooth, pleasant, low-key background music for a dinner party",
        (("energy", "mid"), ("valence", "not_low"), ("speechiness", "low")),
    ),
    Concept(
        "throwback",
        r"throw ?backs?|tbt|nostalgi(?:a|c)|old school|back in the day|blast from the past|memory lane|"
        r"old(?:er)? (?:songs?|hits?|stuff|music|favou?rites?|tunes)|classics?|early days|(?:golden )?oldies|"
        r"throw it back|high school|middle school|childhood|growing up",
        "nostalgic throwback hits from back in the day",
        era="oldest",
    ),
    # "What's hot right now": this catalog's newest years, and the big ones among them.
    Concept(
        "hot right now",
        r"what'?s hot|whats hot|hot (?:right now|rn|atm|at the moment)|current(?:ly)? (?:hits|popular|charting)|"
        r"(?:charting|trending) (?:right )?now",
        "the newest chart hits everyone is playing right now",
        (("popularity", "high"),),
        era="newest",
    ),
    Concept(
        "new",
        r"new (?:music|songs?|releases?|stuff|hits?|tracks?)|latest|recent(?:ly)?|newest|brand new|"
        r"fresh (?:music|songs?|tracks?)|this year|current hits|(?:last|past) (?:few|couple(?: of)?|two|three) years",
        "the newest, most recent releases",
        era="newest",
    ),
)

# Requests that ask for nothing in particular: a request matches a concept by meaning only when it is
# closer to the concept than to these, by a margin (see ``parser.CONCEPT_MARGIN``).
GENERIC_REQUESTS: tuple[str, ...] = ("songs", "music", "good songs to listen to", "popular hits")

# Emoji and decorations people put in playlist titles and chat, as the words they stand for; an
# empty string drops a decoration. The words are read like any other request words.
EMOJI: dict[str, str] = {
    "😭": "crying",
    "😢": "sad",
    "😿": "sad",
    "🥲": "bittersweet",
    "💔": "heartbreak",
    "🥺": "in my feels",
    "😔": "sad",
    "🔥": "bangers",
    "💯": "bangers",
    "⚡": "energetic",
    "💃": "dance",
    "🕺": "dance",
    "🪩": "dance party",
    "🎉": "party",
    "🥳": "party",
    "🍻": "party",
    "🍾": "party",
    "😌": "chill",
    "🧘": "relaxing",
    "🌊": "chill",
    "🌙": "late night",
    "🌃": "late night",
    "🌌": "late night",
    "☀": "summer",
    "🌞": "summer",
    "😎": "summer",
    "🏖": "beach",
    "🌴": "summer",
    "🌧": "rainy",
    "☔": "rainy",
    "⛈": "stormy",
    "❄": "winter",
    "☃": "winter",
    "🍂": "autumn",
    "🎄": "christmas",
    "💪": "workout",
    "🏋": "workout",
    "🏃": "running",
    "❤": "love songs",
    "😍": "love songs",
    "🥰": "love songs",
    "💕": "love songs",
    "💘": "love songs",
    "💞": "love songs",
    "😘": "love songs",
    "😴": "sleep",
    "💤": "sleep",
    "🛌": "sleep",
    "📚": "study",
    "📖": "study",
    "✏": "study",
    "💻": "focus",
    "🚗": "road trip",
    "🛣": "road trip",
    "☕": "coffee",
    "🌅": "morning",
    "😡": "angry",
    "🤬": "angry",
    "😤": "hype",
    "🎮": "gaming",
    "🏊": "pool",
    "🎸": "guitar",
    "😊": "happy",
    "😁": "happy",
    "🙂": "happy",
    "🌈": "happy",
    "💍": "wedding",
    "🌹": "romantic",
    "🫶": "love songs",
    "🥀": "heartbreak",
    "😈": "villain",
    "🎹": "piano",
    "🪕": "folk",
    "🤠": "country",
    "🎷": "jazz",
    "🎺": "jazz",
    "🎻": "classical",
    "🆕": "new music",
    "🌿": "chill",
    "🍃": "chill",
    "🥱": "sleepy",
    "😪": "sleepy",
    "🏝": "summer",
    "🌻": "happy",
    "🥂": "party",
    "🎂": "birthday",
    "🙌": "hype",
    "🚀": "hype",
    "🔊": "loud",
    "🧹": "cleaning",
    "🛁": "self care",
    "🕯": "candle lit",
    "🎃": "halloween",
    "👻": "spooky",
    "🦇": "spooky",
    "💀": "dark",
    "🍳": "cooking",
    "🏕": "camping",
    "⛺": "camping",
    "⛰": "mountains",
    "🏔": "mountains",
    "🥾": "hiking",
    "🧺": "picnic",
    "🌸": "spring",
    "🌷": "spring",
    "🌼": "flowers",
    "🎨": "painting",
    "🫧": "bubble bath",
    "🌆": "evening",
    "✨": "",
    "🎶": "",
    "🎵": "",
    "🎧": "",
    "🎤": "",
    "\ufe0f": "",
}
