#include "ldp/pipeline/timezone.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ldp::pipeline {

// Howard Hinnant's public-domain civil-date algorithms (the formulas, not code from a project).
int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yoe + era * 400) + (m <= 2);
}

int WeekdayFromDays(int64_t z) { return static_cast<int>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6); }

int DaysInMonth(int y, unsigned m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

int64_t CivilTime::WallSeconds() const {
  return DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

CivilTime CivilTime::FromWallSeconds(int64_t wall) {
  int64_t days = wall >= 0 ? wall / 86400 : (wall - 86399) / 86400;
  int64_t rem = wall - days * 86400;
  CivilTime c;
  CivilFromDays(days, c.year, c.month, c.day);
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  return c;
}

Result<CivilTime> ParseCivil(const std::string& text) {
  CivilTime c;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char sep = 0;
  int n = std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &s);
  bool ok = (n == 3 && text.size() == 10) || ((n == 6 || n == 7) && (sep == 'T' || sep == ' '));
  if (ok && (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h > 23 || mi > 59 || s > 59 || h < 0 ||
             mi < 0 || s < 0))
    ok = false;
  if (!ok) return InvalidArgument("'{}' is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM)", text);
  c.year = y;
  c.month = static_cast<unsigned>(mo);
  c.day = static_cast<unsigned>(d);
  c.hour = h;
  c.minute = mi;
  c.second = s;
  return c;
}

namespace {

int64_t ReadBE(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::Utc() {
  static const auto kUtc = [] {
    auto tz = std::make_shared<TimeZone>();
    tz->name_ = "UTC";
    return tz;
  }();
  return kUtc;
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Load(const std::string& name) {
  if (name.empty() || name == "UTC" || name == "Etc/UTC" || name == "Z") return Utc();
  if (name.find("..") != std::string::npos || name[0] == '/')
    return InvalidArgument("'{}' is not an IANA time zone name", name);
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("unknown time zone '{}' (no {} in the tz database)", name, path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t size = data.size();
  auto bad = [&] { return InvalidArgument("time zone file {} is not a TZif file", path); };
  if (size < 44 || data.compare(0, 4, "TZif") != 0) return bad();
  auto parse_header = [&](size_t at, int64_t c[6]) -> bool {
    if (at + 44 > size) return false;
    for (int i = 0; i < 6; ++i) c[i] = ReadBE(p + at + 20 + 4 * i, 4);
    return true;
  };
  // counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  int64_t c[6];
  parse_header(0, c);
  size_t at = 44;
  int time_size = 4;
  if (data[4] >= '2') {  // skip the 32-bit body; use the 64-bit one that follows
    at += c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (!parse_header(at, c)) return bad();
    at += 44;
    time_size = 8;
  }
  int64_t timecnt = c[3], typecnt = c[4];
  if (typecnt < 1 || at + timecnt * (time_size + 1) + typecnt * 6 > size) return bad();
  auto tz = std::make_shared<TimeZone>();
  tz->name_ = name;
  std::vector<int32_t> type_off(typecnt);
  const unsigned char* types = p + at + timecnt * (time_size + 1);
  for (int64_t i = 0; i < typecnt; ++i) type_off[i] = static_cast<int32_t>(ReadBE(types + 6 * i, 4));
  tz->initial_offset_ = type_off[0];
  for (int64_t i = 0; i < timecnt; ++i) {
    int64_t t = ReadBE(p + at + i * time_size, time_size);
    unsigned idx = p[at + timecnt * time_size + i];
    if (idx >= type_off.size()) return bad();
    tz->transitions_.push_back(t);
    tz->offsets_.push_back(type_off[idx]);
  }
  return std::shared_ptr<const TimeZone>(tz);
}

int32_t TimeZone::OffsetAt(int64_t utc) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[it - transitions_.begin() - 1];
}

std::vector<int64_t> TimeZone::FromWall(int64_t wall) const {
  // A wall time maps to utc = wall - offset for some offset in force at that utc. Only offsets
  // around the candidate can apply, so try each distinct offset near it.
  std::vector<int64_t> out;
  std::vector<int32_t> candidates = {initial_offset_};
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), wall - 2 * 86400);
  for (size_t i = it - transitions_.begin(); i < transitions_.size() && transitions_[i] <= wall + 2 * 86400; ++i) {
    candidates.push_back(offsets_[i]);
    if (i > 0) candidates.push_back(offsets_[i - 1]);
  }
  candidates.push_back(OffsetAt(wall));
  for (int32_t off : candidates) {
    int64_t utc = wall - off;
    if (OffsetAt(utc) == off && std::find(out.begin(), out.end(), utc) == out.end()) out.push_back(utc);
  }
  std::sort(out.begin(), out.end());
  return out;
}

int64_t TimeZone::FirstInstantAfterWall(int64_t wall) const {
  // The gap ends at the transition whose new offset puts wall time past `wall`.
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), wall - 2 * 86400);
  for (size_t i = it - transitions_.begin(); i < transitions_.size(); ++i) {
    if (transitions_[i] + offsets_[i] > wall) return transitions_[i];
  }
  return wall - OffsetAt(wall);
}

std::string TimeZone::FormatIso(int64_t utc) const {
  int32_t off = OffsetAt(utc);
  CivilTime c = CivilTime::FromWallSeconds(utc + off);
  int32_t a = off < 0 ? -off : off;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute,
                     c.second, off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}

}  // namespace ldp::pipeline
