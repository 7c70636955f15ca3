"""The automatic screening's word lists (screening.py reads them), Dutch and English.

Words are lemmas in lower case: the screener lemmatises each word of a text (simplemma) before it
looks it up, so "idioten" finds "idioot" and "morons" finds "moron"; it also looks up the word as
written, for the inflections simplemma does not know. Phrases are regular expressions matched
against the lower-cased text.

What is on these lists is a moderator's call, not a verdict: a hit flags the text for review.
"""

# Words for people that insult whoever they are aimed at.
INSULT_WORDS = frozenset({
    # Dutch
    "idioot", "idioten", "debiel", "debielen", "randdebiel", "klootzak", "klootzakken", "eikel", "eikels", "lul",
    "lamlul", "trut", "sukkel", "sukkels", "hufter", "hufters", "hufterig", "zeikerd", "viespeuk", "mafkees",
    "gladjanus", "schoft", "schoften", "gluiperd", "uitschot", "tuig", "klootviool", "kneus", "zakkenvuller",
    "leugenaar", "leugenaars", "prutser", "prutsers", "graaier", "graaiers", "oplichter", "oplichters", "dief",
    "dieven", "boef", "boeven", "heks", "wijf", "wijven", "hoer", "hoeren", "mongool", "mongolen", "achterlijk",
    "gestoord", "hersendood", "imbeciel", "imbecielen", "stommeling", "oen", "sul",
    "etter", "ettertje", "lijer", "lijers", "klojo", "kutwijf", "gespuis",
    "clown", "clowns",
    "kluns", "klungel", "zakkenwasser", "zakkenwassers", "aasgier", "aasgieren", "klapjosti", "lapzwans",
    "nitwit", "sufkop", "domkop", "domoor", "stomkop", "hersenloos", "hersenloze", "rotzak", "rotzakken", "smeerlap",
    "smeerlappen", "griezel", "engerd", "zwijn", "zwijnen", "kutkind", "oetlul", "zeikwijf", "kakker", "slet",
    "sletten", "teef", "kreng", "krengen", "varken", "varkens", "parasiet", "parasieten", "uilskuiken",
    # English
    "muppet", "muppets", "dimwit", "dimwits", "numpty", "nincompoop", "dunce", "dolt", "buffoon", "tosser", "knob",
    "bellend", "pillock", "plonker", "git", "scum", "vermin", "parasite", "parasites", "lowlife", "dipshit", "jackass",
    "idiot", "idiots", "moron", "morons", "imbecile", "imbeciles", "asshole", "assholes", "arsehole", "dickhead",
    "dick", "prick", "bitch", "bastard", "bastards", "twat", "wanker", "dumbo", "dope", "dopes", "wankers", "cretin", "retard", "retarded",
    "jerk", "loser", "losers", "halfwit", "halfwits", "scumbag", "scumbags", "crook", "crooks", "cunt", "douchebag",
    "dumbass", "fool", "fools", "liar", "liars", "slut", "whore", "shithead", "brain-dead",
    "braindead", "clueless", "shitty", "fucking", "fuckers", "fucker", "motherfucker",
})

# Dutch curses glued to the front of another word ("kankerbedrijf", "tyfuslijer", "kutwinkel"):
# a word starting with one of these and at least three letters more is an insult.
INSULT_PREFIXES = (
    "kanker", "tyfus", "tering", "klere", "kolere", "pleuris", "kut", "hoeren", "hoere", "schijt", "kloot",
    "oplichters", "randdebiel", "debiel", "mongolen", "zeik", "pokken",
)
# And glued to the end ("kankerlijer", "tyfushoer", "oplichtersbende" needs the prefix).
INSULT_SUFFIXES = ("lijer", "lijers", "hoer", "hoeren", "wijf", "wijven", "lul", "debiel", "debielen", "zakken")

# Words that start like a curse or end like an insult and are none: the longest match wins.
ALLOWED_WORDS = frozenset({
    # Illness and the fight against it, not a curse.
    "kankerpatiënt", "kankerpatient", "kankeronderzoek", "kankerbehandeling", "kankerfonds", "kankerbestrijding",
    "kankercentrum", "kankerverwekkend", "kankerpatiënten", "kankercel", "kankercellen",
    # Ordinary words.
    "rotatie", "roteren", "rotonde", "rotterdam", "rotterdams", "rotterdamse", "rotting", "rotan", "kutter",
    "schijterig", "apenrots", "apenheul", "lulkoek", "zeiknat", "pokkenprik", "kloothommel", "rotor", "rotweiler",
    "rottweiler", "zakdoek", "zakgeld", "zaken", "zakelijk", "zakelijke", "handtas", "kloosterzak",
    "broekzak", "rugzak", "tas", "plastic zak", "zakken", "dichtzak", "slaapzak", "stofzuigerzak", "vuilniszak",
    "zakje", "vuilniszakken", "stofzak", "rotzooi", "rotweer", "rotdag",
    # Strong but acceptable complaint language (claims about the company, not names for people).
    "waardeloos", "schandalig", "oplichting", "oplichterij", "fraude", "fraud", "fraudulent", "scam", "scammed",
    "disgrace", "bagger", "prutswerk", "belachelijk", "aanfluiting", "schande", "diefstal", "pathetic",
    "rubbish", "useless", "terrible", "joke", "rip-off", "robbery",
})

# Curses and insults that take more than one word.
INSULT_PHRASES = (
    r"\brot (?:toch )?op\b", r"\bval (?:toch )?dood\b", r"\bkrijg (?:toch )?(?:de|het) (?:kanker|tyfus|tering|klere|pleuris)\b",
    r"\bfuck (?:you|off|this)\b", r"\bscrew you\b", r"\bsod off\b", r"\bpiece of shit\b", r"\bgo to hell\b",
    r"\bdomme (?:koe|trut|gans|muts)\b", r"\bvette koe\b", r"\bugly cow\b", r"\bstupid cow\b", r"\bsnotty cow\b",
    r"\bzak van een\b", r"\bidioot van een\b", r"\boplichter van een\b", r"\blamlul van een\b", r"\bidiot of a\b",
    r"\bgreedy pig\b", r"\bgraaiende rat\b", r"\btoo stupid\b", r"\bbunch of (?:clowns|idiots|morons|fools)\b",
    r"\bstelletje (?:idioten|prutsers|graaiers|randdebielen|zakkenvullers|klootzakken)\b",
    r"\bstel (?:eikels|idioten|schoften)\b", r"\bvuile (?:hufter|klootzak|rat|klootzakken|marokkaan)\w*",
    r"\bdisgrace of a human being\b", r"\bdumb fools?\b",
)

# Slurs: words that demean people for their origin, colour, religion, sex, orientation or handicap.
SLURS = frozenset({
    "neger", "negers", "nikker", "nikkers", "zwartjoekel", "zwartjoekels", "kutmarokkaan", "kutmarokkanen",
    "kutturk", "kutturken", "flikker", "flikkers", "nicht", "mietje", "poot", "spleetoog", "spleetogen",
    "zigeuner", "zigeuners", "geitenneuker", "geitenneukers", "kaaskop", "joodje", "jodenstreek", "bruinjoekel",
    "nigger", "niggers", "nigga", "paki", "pakis", "faggot", "faggots", "fag", "tranny", "trannies", "chink",
    "chinks", "spic", "spics", "kike", "kikes", "wetback", "gook", "gooks", "raghead", "towelhead", "coon", "gypsies",
})
# Slurs that are also the ends of compound insults ("kankerneger", "kankerjoodje").
SLUR_SUFFIXES = ("neger", "negers", "joodje", "marokkaan", "marokkanen", "turk", "turken", "nikker")

# Groups people are discriminated against as; the screener flags a group named together with
# words that generalise about it or want it gone (`GENERALISATIONS`).
GROUPS = frozenset({
    "buitenlander", "buitenlanders", "buitenlands", "allochtoon", "allochtonen", "marokkaan", "marokkanen",
    "marokkaans", "marokkaanse", "turk", "turken", "turks", "pool", "polen", "roemeen", "roemenen", "surinamer",
    "surinamers", "chinees", "chinezen", "antilliaan", "zwarte", "zwarten", "bruine", "blanke", "moslim",
    "moslims", "jood", "joden", "joods", "joodse", "homo", "homo's", "lesbienne", "transgender", "vluchteling",
    "vluchtelingen", "asielzoeker", "asielzoekers", "vrouw", "vrouwen", "gehandicapte", "gehandicapten",
    "hoofddoek", "afrikaan", "afrikanen", "afrika", "africa", "arabier", "arabieren",
    "foreigner", "foreigners", "immigrant", "immigrants", "migrant", "migrants", "refugee", "refugees", "black",
    "blacks", "muslim", "muslims", "jew", "jews", "jewish", "gay", "gays", "women", "woman", "arab", "arabs",
    "african", "africans", "asian", "asians", "indian", "indians", "disabled", "transgender", "gypsy", "mexican",
    "mexicans", "white",
})
GENERALISATIONS = (
    r"\ballemaal\b", r"\btypisch\b", r"\btypical\b", r"\bzoals ze\b", r"\bgeen wonder\b", r"\bhoor(?:t|en)? niet\b",
    r"\bmoeten? niet\b", r"\bmoeten terug\b", r"\bterug naar\b", r"\beruit\b",
    r"\bstelen\b", r"\bsteal\b", r"\blui\b", r"\blazy\b", r"\bdronken\b", r"\bterroristen\b", r"\bregeren\b",
    r"\bsnappen nooit\b", r"\bkunnen (?:geen|niks|niets)\b", r"\bshould not\b", r"\bshouldn't\b", r"\bcannot\b",
    r"\bcan't\b", r"\bgo back\b", r"\bsend (?:those|them|these|the)\b", r"\bout of\b", r"\brun this\b",
    r"\bcheat\b", r"\bik eis een\b", r"\bi want to speak to a\b", r"\bnot some\b", r"\bin plaats van een\b",
    r"\bwalgelijk\b", r"\bdisgusting\b", r"\bziek volk\b", r"\bzulke mensen\b", r"\bzeker een\b", r"\bvast\b",
    r"\bproof\b", r"\bmaken .{0,20}kapot\b", r"\bkeep it to themselves\b", r"\bdie ogen\b", r"\bgeen allochtoon\b",
    r"\bgraaicultuur\b", r"\bgespuis\b", r"\btuig\b", r"\bapen\b", r"\baap\b",
    # Named with a slighting word, or sent away.
    r"\bvuile\b", r"\bvieze\b", r"\bstomme\b", r"\bstupid\b", r"\bdirty\b", r"\bretarded\b",
    r"\bstuur (?:die|de|ze|alle)\b.{0,40}\bterug\b",
)
# A text that complains about discrimination names a group without discriminating.
ABOUT_DISCRIMINATION = r"\bdiscrimin\w*|\bracis\w*|\bvanwege (?:mijn|zijn|haar|hun)\b|\bbecause I am\b"

# Threats to someone's body, life or property, and violence announced.
THREAT_PHRASES = (
    # Dutch
    r"\bweet waar (?:je|jij|u|jullie \w+|hij|ze|zij|de \w+|die \w+) woon?t?\b", r"\b(?:in de fik|in brand) (?:steken|steek)\b",
    r"\bsteek .{0,30}(?:in de fik|in brand|neer)\b", r"\b(?:vermoord|vermoorden|afmaken|af te maken|maak \w+ \w* ?af)\b",
    r"\bmaak (?:die|de|je|jullie|hem|haar) \w+ af\b", r"\bkrijgt? (?:een paar )?klappen\b", r"\been paar klappen\b",
    r"\bte pakken krijg\b", r"\bin elkaar (?:slaan|sla|timmer|timmeren|trappen|trap)\b",
    r"\b(?:sla|timmer|trap|ram|schop) (?:je|jou|jullie|hem|haar|die|de) .{0,20}(?:in elkaar|dood|op (?:je|zijn|haar) bek)\b",
    r"\bop (?:je|zijn|haar) (?:bek|smoel|muil) slaan\b", r"\bschiet .{0,20}neer\b", r"\bneer(?:schieten|steken)\b",
    r"\b(?:een|de) (?:bom|kogel)\b(?! van een)", r"\bkogel (?:van|door)\b", r"\bin vlammen op\b", r"\bkijk (?:maar )?uit als\b",
    r"\bnooit meer (?:kan|kunt|kunnen) lopen\b", r"\bdan ben je dood\b", r"\bje bent dood\b", r"\bbreek (?:al )?je\b",
    r"\bmet een (?:mes|honkbalknuppel|knuppel|pistool|geweer)\b", r"\bjouw kinderen\b", r"\bsteen door\b",
    r"\bwurg\w*\b", r"\bmet (?:jullie|je|jouw) leven\b", r"\bgeweld gebruiken\b", r"\bborst natmaken\b",
    r"\bvoelen wat pijn is\b", r"\bverhaal halen\b", r"\b(?:je|jij|hij|zij|ze|jullie) (?:gaat|gaan) eraan\b", r"\bte lijf\b", r"\btrap je dood\b",
    r"\bram je\b", r"\bsla je\b",
    # English
    r"\bknow where (?:you|he|she|they|your \w+) lives?\b", r"\bburn (?:\w+ ){0,3}down\b", r"\bburn down\b",
    r"\b(?:i|we|i'll|we'll|i'm|i am) (?:will |am going to |'m going to |going to |gonna )?(?:kill|stab|shoot|strangle|punch|torch|hurt|beat|smash|blow up|break|find your|murder)\b",
    r"\b(?:i|we)'ll (?:kill|stab|shoot|strangle|punch|torch|hurt|beat|smash|blow up|break|make sure you never)\b",
    r"\bwatch your back\b", r"\bwith a (?:gun|knife|bat)\b", r"\ba bullet\b", r"\bwith your life\b",
    r"\ba bomb\b", r"\byou(?: are|'re) dead\b", r"\bnever walk again\b", r"\bbreak (?:his|her|your) (?:legs|neck|arms)\b",
    r"\bsee what happens to\b", r"\bcoming for you\b", r"\bbeat (?:\w+ ){0,2}up\b",
)

# A threat said in the first person: "ik", "we", "I" with (after at most a few words) a violent verb
# in the present or future, not the past ("de portier sloeg mijn vriend" is a report, not a threat).
FIRST_PERSON = r"\b(?:ik|wij|we|i|i'll|we'll|i'm|i am)\b"
NOT_SAID_AS_THREAT = r"\b(?:sla alarm|was|were|got|werd|werden|been|ben ik|heb ik)\b"
VIOLENT_VERBS = (
    "sla", "slaan", "schop", "schoppen", "trap", "trappen", "schiet", "schieten", "vermoord", "vermoorden",
    "wurg", "wurgen", "ram", "rammen", "mishandel", "mishandelen", "timmer", "timmeren", "afmaken", "doodmaken",
    "neersteken", "neerschieten", "aanvallen", "opblazen", "kill", "stab", "shoot", "strangle", "punch", "beat",
    "smash", "torch", "hurt", "attack", "murder", "ram", "slap", "kick",
)
WEAPONS = r"(?:knife|gun|bat|bomb|mes|messen|pistool|knuppel|honkbalknuppel|geweer|bom|benzine|petrol|zuur|acid)"
THREAT_PHRASES += (
    r"\b(?:bring|bringing|brengen|breng|meenemen|neem|kom met|come with)\b.{0,25}\b" + WEAPONS + r"\b",
    r"\bweet (?:je|jouw|uw|jullie) adres\b", r"\bknow where your\b",
    r"\b(?:you will|you'll|je zult|jullie zullen|je gaat) (?:regret|spijt|ervoor boeten)\b",
    r"\bmaak (?:je|jou|jullie|hem|haar|die \w+) kapot\b", r"\bkort en klein\b",
    r"\b(?:zet|steek|steken|zetten)\b.{0,30}\bin (?:brand|de fik|de hens)\b", r"\bset fire to\b",
)

# Names of products, books and games that contain a word on the lists above.
PRODUCT_NAMES = (
    "dikke lul 3 bieren", "de idioot", "the idiot", "killer queen", "exploding kittens", "bloody mary",
    "killer whale", "dead space", "assassin's creed", "call of duty", "hitman", "mortal kombat",
)
