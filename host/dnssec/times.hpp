// Times and durations as KSRs and SKRs write them, as kskm reads and writes them, and as kskm's
// messages print them. Seconds resolution, UTC only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace quorum::host::dnssec {

using Duration = std::chrono::seconds;
using Time = std::chrono::time_point<std::chrono::system_clock, Duration>;

constexpr Duration days(std::int64_t n) {
    return Duration(n * 86400);
}

Time timeFromPosix(std::int64_t seconds);
std::int64_t posixSeconds(Time time);

// An xsd:dateTime as kskm accepts it: "YYYY-MM-DDTHH:MM:SS" (or a space for the T), an optional
// fraction (dropped), then no zone (UTC), "Z", "+00:00", "-00:00" (or without the colon); any
// other zone is refused ("Timestamps MUST be UTC"). Years 1970-9999. std::invalid_argument
// saying what is wrong otherwise.
Time parseTime(std::string_view text);
// "2018-01-01T00:00:00+00:00": every time in an SKR, as kskm writes it.
std::string formatTime(Time time);
// "2018-01-01T00:00:00": a KSR bundle's Inception and Expiration, as the ZSK operator writes them.
std::string formatTimeWithoutZone(Time time);

// An ISO 8601 duration as kskm reads it: "P", then numbers with W, D, H, M, S (M is minutes after a
// "T"; months, years and fractions are refused); "" and "P" are zero. std::invalid_argument
// otherwise.
Duration parseDuration(std::string_view text);
// As kskm writes it: "PT0S", "P21D", "P3DT4H5M6S"; kskm's quirk kept for identical SKRs: hours
// are split off only above 3600 seconds and minutes above 60, so one hour is "PT60M".
std::string formatDuration(Duration duration);

// As kskm's messages print them (Python's str): "21 days", "1 day", "4 days, 23:59:59",
// "0:00:00"; and "2019-02-01 00:00:00+00:00".
std::string describeDuration(Duration duration);
std::string describeTime(Time time);

}  // namespace quorum::host::dnssec
