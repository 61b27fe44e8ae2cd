#include "ldp/pipeline/cron.h"

#include <cctype>
#include <sstream>
#include <vector>

namespace ldp::pipeline {
namespace {

const char* kFieldNames[] = {"minute", "hour", "day-of-month", "month", "day-of-week"};
const int kMin[] = {0, 0, 1, 1, 0};
const int kMax[] = {59, 23, 31, 12, 7};

int NameValue(int field, std::string s) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  static const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (field == 3)
    for (int i = 0; i < 12; ++i)
      if (s == kMonths[i]) return i + 1;
  if (field == 4)
    for (int i = 0; i < 7; ++i)
      if (s == kDays[i]) return i;
  return -1;
}

Result<int> ParseValue(int field, const std::string& s, const std::string& text) {
  if (s.empty()) return InvalidArgument("cron '{}': empty value in the {} field", text, kFieldNames[field]);
  int v = -1;
  if (std::isdigit(static_cast<unsigned char>(s[0]))) {
    for (char ch : s)
      if (!std::isdigit(static_cast<unsigned char>(ch)))
        return InvalidArgument("cron '{}': '{}' is not a number in the {} field", text, s, kFieldNames[field]);
    if (s.size() > 3) return InvalidArgument("cron '{}': {} out of range in the {} field", text, s, kFieldNames[field]);
    v = std::stoi(s);
  } else {
    v = NameValue(field, s);
    if (v < 0) return InvalidArgument("cron '{}': '{}' is not valid in the {} field", text, s, kFieldNames[field]);
  }
  if (v < kMin[field] || v > kMax[field])
    return InvalidArgument("cron '{}': {} is out of range {}-{} in the {} field", text, v, kMin[field],
                           kMax[field] == 7 ? 6 : kMax[field], kFieldNames[field]);
  return v;
}

// Parses one field into the set of allowed values; returns whether it was "*".
Result<bool> ParseField(int field, const std::string& f, const std::string& text, std::vector<int>& out) {
  bool star = false;
  std::stringstream ss(f);
  std::string part;
  while (std::getline(ss, part, ',')) {
    int step = 1;
    auto slash = part.find('/');
    std::string range = part;
    if (slash != std::string::npos) {
      range = part.substr(0, slash);
      std::string st = part.substr(slash + 1);
      bool digits = !st.empty() && st.size() < 4;
      for (char ch : st) digits = digits && std::isdigit(static_cast<unsigned char>(ch));
      if (!digits || std::stoi(st) == 0)
        return InvalidArgument("cron '{}': step '{}' must be a positive number in the {} field", text, st,
                               kFieldNames[field]);
      step = std::stoi(st);
    }
    int lo, hi;
    if (range == "*") {
      lo = kMin[field];
      hi = field == 4 ? 6 : kMax[field];
      if (slash == std::string::npos) star = true;
    } else {
      auto dash = range.find('-');
      if (dash != std::string::npos) {
        LDP_ASSIGN_OR_RAISE(lo, ParseValue(field, range.substr(0, dash), text));
        LDP_ASSIGN_OR_RAISE(hi, ParseValue(field, range.substr(dash + 1), text));
        if (hi < lo)
          return InvalidArgument("cron '{}': range '{}' goes backwards in the {} field", text, range,
                                 kFieldNames[field]);
      } else {
        LDP_ASSIGN_OR_RAISE(lo, ParseValue(field, range, text));
        hi = slash == std::string::npos ? lo : (field == 4 ? 6 : kMax[field]);
      }
    }
    for (int v = lo; v <= hi; v += step) out.push_back(v);
  }
  if (out.empty()) return InvalidArgument("cron '{}': empty {} field", text, kFieldNames[field]);
  return star;
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(const std::string& text) {
  std::string t = text;
  static const std::pair<const char*, const char*> kMacros[] = {
      {"@hourly", "0 * * * *"},  {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
      {"@weekly", "0 0 * * 0"},  {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"}};
  if (!t.empty() && t[0] == '@') {
    bool found = false;
    for (auto& [k, v] : kMacros)
      if (t == k) {
        t = v;
        found = true;
      }
    if (!found)
      return InvalidArgument("cron '{}': unknown macro (use @hourly, @daily, @weekly, @monthly or @yearly)", text);
  }
  std::stringstream ss(t);
  std::vector<std::string> fields;
  std::string f;
  while (ss >> f) fields.push_back(f);
  if (fields.size() != 5)
    return InvalidArgument("cron '{}': expected 5 fields (minute hour day-of-month month day-of-week), got {}", text,
                           fields.size());
  CronSchedule c;
  c.text_ = text;
  for (int i = 0; i < 5; ++i) {
    std::vector<int> values;
    LDP_ASSIGN_OR_RAISE(bool star, ParseField(i, fields[i], text, values));
    for (int v : values) {
      switch (i) {
        case 0: c.minutes_.set(v); break;
        case 1: c.hours_.set(v); break;
        case 2: c.days_.set(v); break;
        case 3: c.months_.set(v); break;
        case 4: c.weekdays_.set(v % 7); break;
      }
    }
    if (i == 2) c.dom_star_ = star;
    if (i == 4) c.dow_star_ = star;
  }
  return c;
}

bool CronSchedule::DayMatches(int y, unsigned m, unsigned d) const {
  if (!months_.test(m)) return false;
  bool dom = days_.test(d);
  bool dow = weekdays_.test(WeekdayFromDays(DaysFromCivil(y, m, d)));
  if (dom_star_ || dow_star_) return dom && dow;
  return dom || dow;
}

bool CronSchedule::Matches(const CivilTime& c) const {
  return DayMatches(c.year, c.month, c.day) && hours_.test(c.hour) && minutes_.test(c.minute);
}

std::optional<int64_t> CronSchedule::Next(int64_t utc, const TimeZone& tz) const {
  // Walk wall-clock minutes after the wall time of `utc`, skipping whole days and hours that
  // cannot match; resolve each matching wall time to an instant (module comment: DST rules).
  int64_t wall = tz.ToWall(utc);
  int64_t w = (wall >= 0 ? wall / 60 : (wall - 59) / 60) * 60 + 60;
  const int64_t limit = w + 10LL * 366 * 86400;
  while (w < limit) {
    CivilTime c = CivilTime::FromWallSeconds(w);
    if (!DayMatches(c.year, c.month, c.day)) {
      w = (DaysFromCivil(c.year, c.month, c.day) + 1) * 86400;
      continue;
    }
    if (!hours_.test(c.hour)) {
      w = w - c.minute * 60 + 3600;
      continue;
    }
    if (!minutes_.test(c.minute)) {
      w += 60;
      continue;
    }
    auto instants = tz.FromWall(w);
    int64_t at = instants.empty() ? tz.FirstInstantAfterWall(w) : instants.front();
    if (at > utc) return at;
    w += 60;
  }
  return std::nullopt;
}

}  // namespace ldp::pipeline
