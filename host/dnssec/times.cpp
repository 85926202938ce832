#include "host/dnssec/times.hpp"

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace quorum::host::dnssec {
namespace {

constexpr std::int64_t kMaxDurationSeconds = 100LL * 366 * 86400;  // no policy needs a century

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// The number in `text` at `at`, exactly `width` digits.
int digits(std::string_view text, std::size_t at, std::size_t width, std::string_view whole) {
    if (at + width > text.size())
        throw std::invalid_argument("not a date and time: \"" + std::string(whole) + "\"");
    int value = 0;
    for (std::size_t i = at; i < at + width; ++i) {
        if (!isDigit(text[i]))
            throw std::invalid_argument("not a date and time: \"" + std::string(whole) + "\"");
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

void expect(std::string_view text, std::size_t at, char c, std::string_view whole) {
    if (at >= text.size() || text[at] != c)
        throw std::invalid_argument("not a date and time: \"" + std::string(whole) + "\"");
}

bool leapYear(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int daysInMonth(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && leapYear(year) ? 29 : kDays[month - 1];
}

std::tm utc(Time time) {
    const std::time_t seconds = static_cast<std::time_t>(posixSeconds(time));
    std::tm parts{};
    if (!::gmtime_r(&seconds, &parts)) throw std::invalid_argument("time out of range");
    return parts;
}

std::string strftimeUtc(Time time, const char* format) {
    const std::tm parts = utc(time);
    char text[64];
    const std::size_t n = std::strftime(text, sizeof text, format, &parts);
    return std::string(text, n);
}

}  // namespace

Time timeFromPosix(std::int64_t seconds) {
    return Time(Duration(seconds));
}

std::int64_t posixSeconds(Time time) {
    return time.time_since_epoch().count();
}

Time parseTime(std::string_view whole) {
    std::string_view text = whole;
    // kskm strips every trailing Z before reading the rest.
    while (!text.empty() && text.back() == 'Z') text.remove_suffix(1);
    const int year = digits(text, 0, 4, whole);
    expect(text, 4, '-', whole);
    const int month = digits(text, 5, 2, whole);
    expect(text, 7, '-', whole);
    const int day = digits(text, 8, 2, whole);
    if (text.size() < 11 || (text[10] != 'T' && text[10] != ' '))
        throw std::invalid_argument("not a date and time: \"" + std::string(whole) + "\"");
    const int hour = digits(text, 11, 2, whole);
    expect(text, 13, ':', whole);
    const int minute = digits(text, 14, 2, whole);
    expect(text, 16, ':', whole);
    const int second = digits(text, 17, 2, whole);
    std::size_t at = 19;
    if (at < text.size() && text[at] == '.') {
        std::size_t end = at + 1;
        while (end < text.size() && isDigit(text[end])) ++end;
        if (end == at + 1)
            throw std::invalid_argument("not a date and time: \"" + std::string(whole) + "\"");
        at = end;
    }
    std::string_view zone = text.substr(at);
    if (!zone.empty() && zone != "+00:00" && zone != "-00:00" && zone != "+0000" &&
        zone != "-0000" && zone != "+00" && zone != "-00")
        throw std::invalid_argument("Timestamps MUST be UTC (not " + std::string(zone) + " as in " +
                                    std::string(whole) + ")");
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
        hour > 23 || minute > 59 || second > 59)
        throw std::invalid_argument("no such date and time: \"" + std::string(whole) + "\"");
    std::tm parts{};
    parts.tm_year = year - 1900;
    parts.tm_mon = month - 1;
    parts.tm_mday = day;
    parts.tm_hour = hour;
    parts.tm_min = minute;
    parts.tm_sec = second;
    return timeFromPosix(static_cast<std::int64_t>(::timegm(&parts)));
}

std::string formatTime(Time time) {
    return strftimeUtc(time, "%Y-%m-%dT%H:%M:%S+00:00");
}

std::string formatTimeWithoutZone(Time time) {
    return strftimeUtc(time, "%Y-%m-%dT%H:%M:%S");
}

std::string describeTime(Time time) {
    return strftimeUtc(time, "%Y-%m-%d %H:%M:%S+00:00");
}

Duration parseDuration(std::string_view whole) {
    if (whole.empty()) return Duration(0);
    if (whole.front() != 'P')
        throw std::invalid_argument("Duration does not start with \"P\": " + std::string(whole));
    std::string_view rest = whole.substr(1);
    bool timeSection = false;
    std::int64_t total = 0;
    while (!rest.empty()) {
        if (rest.front() == 'T') {
            timeSection = true;
            rest.remove_prefix(1);
        }
        std::size_t n = 0;
        std::int64_t number = 0;
        while (n < rest.size() && isDigit(rest[n])) {
            number = number * 10 + (rest[n] - '0');
            if (number > kMaxDurationSeconds)
                throw std::invalid_argument("Duration too long: " + std::string(whole));
            ++n;
        }
        if (n == 0 || n == rest.size())
            throw std::invalid_argument("Invalid ISO8601 duration (at " + std::string(rest) + ")");
        std::int64_t unit = 0;
        switch (rest[n]) {
            case 'W': unit = 7 * 86400; break;
            case 'D': unit = 86400; break;
            case 'H': unit = 3600; break;
            case 'M':
                if (!timeSection)
                    throw std::invalid_argument("Months are not supported: " + std::string(whole));
                unit = 60;
                break;
            case 'S': unit = 1; break;
            default:
                throw std::invalid_argument("Invalid ISO8601 duration (at " + std::string(rest) +
                                            ")");
        }
        total += number * unit;
        if (total > kMaxDurationSeconds)
            throw std::invalid_argument("Duration too long: " + std::string(whole));
        rest.remove_prefix(n + 1);
    }
    return Duration(total);
}

// Python's timedelta: days rounded down, then the seconds of that day.
static void splitDays(Duration duration, std::int64_t& days, std::int64_t& seconds) {
    const std::int64_t total = duration.count();
    days = total / 86400;
    seconds = total % 86400;
    if (seconds < 0) {
        seconds += 86400;
        days -= 1;
    }
}

std::string formatDuration(Duration duration) {
    if (duration.count() == 0) return "PT0S";
    std::int64_t days = 0;
    std::int64_t seconds = 0;
    splitDays(duration, days, seconds);
    std::string text = days != 0 ? "P" + std::to_string(days) + "D" : "P";
    if (seconds != 0) {
        text += "T";
        if (seconds > 3600) {
            text += std::to_string(seconds / 3600) + "H";
            seconds %= 3600;
        }
        if (seconds > 60) {
            text += std::to_string(seconds / 60) + "M";
            seconds %= 60;
        }
        if (seconds != 0) text += std::to_string(seconds) + "S";
    }
    return text;
}

std::string describeDuration(Duration duration) {
    std::int64_t days = 0;
    std::int64_t seconds = 0;
    splitDays(duration, days, seconds);
    char clock[32];
    std::snprintf(clock, sizeof clock, "%lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
    if (days == 0) return clock;
    const std::string dayPart = std::to_string(days) + (days == 1 || days == -1 ? " day" : " days");
    // kskm's fmt_timedelta drops a zero clock after the days.
    return seconds == 0 ? dayPart : dayPart + ", " + clock;
}

}  // namespace quorum::host::dnssec
