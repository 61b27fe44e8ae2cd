#include "ldp/demo/nyc_taxi.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>

namespace ldp::demo {
namespace {

// Independent random streams, one per decision: column u<k> of a row is a uniform draw in (0,1)
// derived from hash(row, seed) and k alone, so adding a stream never changes the others.
enum Stream : int {
  kTimeInSlot = 0,
  kTimeJitter,
  kTimeOutlier,
  kTimeOutlierOffset,
  kNullBlock,
  kVendor,
  kPassengers,
  kPickupZone,
  kPickupZoneUniform,
  kDropoffZone,
  kDropoffZoneUniform,
  kRateJfk,
  kRateOther,
  kStoreAndForward,
  kDurationKind,
  kNormalA,
  kNormalB,
  kDurationTail,
  kDistanceKind,
  kDistanceOutlier,
  kFareOutlier,
  kFareValue,
  kRefund,
  kPaymentType,
  kTipper,
  kTipPercent,
  kTolls,
  kTollValue,
  kSurchargeOddity,
  kStreamCount,
};

std::string Num(double v) { return fmt::format("{:.17g}", v); }

// A CASE expression that returns values[k] with probability weights[k] / sum(weights), driven by
// the uniform column `u`. The last value takes whatever rounding leaves over.
std::string Pick(std::string_view u, const std::vector<std::pair<std::string, double>>& choices) {
  double total = 0;
  for (const auto& c : choices) total += c.second;
  std::string out = "CASE";
  double cum = 0;
  for (size_t k = 0; k + 1 < choices.size(); ++k) {
    cum += choices[k].second;
    out += fmt::format(" WHEN {} < {} THEN {}", u, Num(cum / total), choices[k].first);
  }
  out += fmt::format(" ELSE {} END", choices.back().first);
  return out;
}

std::string DoubleList(const std::vector<double>& v) {
  std::string out = "CAST([";
  for (size_t k = 0; k < v.size(); ++k) out += (k ? ", " : "") + Num(v[k]);
  return out + "] AS DOUBLE[])";
}

std::string BigintList(const std::vector<int64_t>& v) {
  std::string out = "CAST([";
  for (size_t k = 0; k < v.size(); ++k) out += (k ? ", " : "") + std::to_string(v[k]);
  return out + "] AS BIGINT[])";
}

// Like Pick for many integer choices, in constant time per row (Walker's alias method) where a
// CASE would test the choices one by one. The integer part of u*n picks a column of the table,
// its fractional part (uniform too) chooses between the column's value and its alias.
std::string PickAlias(std::string_view u, const std::vector<std::pair<int64_t, double>>& choices) {
  const size_t n = choices.size();
  double total = 0;
  for (const auto& c : choices) total += c.second;
  std::vector<double> prob(n);
  std::vector<int64_t> value(n), alias(n);
  std::vector<size_t> small, large;
  for (size_t k = 0; k < n; ++k) {
    value[k] = alias[k] = choices[k].first;
    prob[k] = choices[k].second * static_cast<double>(n) / total;
    (prob[k] < 1.0 ? small : large).push_back(k);
  }
  while (!small.empty() && !large.empty()) {
    size_t s = small.back(), l = large.back();
    small.pop_back();
    alias[s] = value[l];
    prob[l] -= 1.0 - prob[s];
    if (prob[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (size_t k : large) prob[k] = 1.0;  // what rounding left over
  for (size_t k : small) prob[k] = 1.0;
  std::string column = fmt::format("CAST(floor({} * {}) AS BIGINT) + 1", u, n);
  return fmt::format(
      "CASE WHEN {u} * {n} - floor({u} * {n}) < list_extract({p}, {c}) THEN list_extract({v}, {c})"
      " ELSE list_extract({a}, {c}) END",
      fmt::arg("u", u), fmt::arg("n", n), fmt::arg("p", DoubleList(prob)), fmt::arg("c", column),
      fmt::arg("v", BigintList(value)), fmt::arg("a", BigintList(alias)));
}

// A taxi zone: a top zone with its share in percent, or 0 for "any zone" with `rest` percent
// (resolved uniformly over 1..265 later; 264 and 265 are the TLC's "unknown").
std::string PickZone(std::string_view u, const std::vector<std::pair<int, double>>& top,
                     double rest) {
  std::vector<std::pair<int64_t, double>> choices;
  choices.reserve(top.size() + 1);
  for (const auto& [zone, pct] : top) choices.emplace_back(zone, pct);
  choices.emplace_back(0, rest);
  return PickAlias(u, choices);
}

// A constant BOOLEAN[] for membership tests by 1-based index: DuckDB turns long IN lists into
// joins, which cost more than a lookup and would add an operator between the range and the COPY.
std::string BoolList(const std::vector<bool>& v) {
  std::string out = "CAST([";
  for (size_t k = 0; k < v.size(); ++k)
    out += std::string(k ? ", " : "") + (v[k] ? "true" : "false");
  return out + "] AS BOOLEAN[])";
}

// Busiest zones, in percent of trips (approximate 2023 shares; Manhattan-heavy, JFK=132, LGA=138).
const std::vector<std::pair<int, double>> kPickupTop = {
    {132, 5.0}, {237, 4.6}, {236, 4.2}, {161, 4.6}, {186, 3.4}, {162, 3.5}, {230, 3.3}, {142, 3.3},
    {138, 3.0}, {170, 3.1}, {163, 3.0}, {239, 2.9}, {234, 3.0}, {68, 2.7},  {141, 2.6}, {48, 2.6},
    {79, 2.8},  {140, 2.3}, {107, 2.7}, {249, 2.3}, {113, 2.1}, {100, 2.0}, {164, 2.0}, {263, 2.3},
    {238, 1.9}, {43, 1.5},  {233, 1.4}, {90, 1.6},  {229, 1.5}, {246, 1.3}, {264, 1.2}, {50, 1.2},
    {151, 1.0}, {262, 1.3}, {137, 1.3}, {143, 1.1}, {148, 1.2}, {211, 0.9}, {114, 1.1}, {125, 0.7},
    {231, 0.9}, {166, 0.8}, {144, 0.8}, {87, 0.7},  {75, 0.8},  {74, 0.6},  {158, 0.6}, {13, 0.6},
    {224, 0.4}, {88, 0.4},  {261, 0.6}, {209, 0.4}, {41, 0.5},  {45, 0.3},  {4, 0.4},   {24, 0.5},
    {152, 0.3}, {42, 0.4},  {116, 0.3}, {7, 0.3}};
constexpr double kPickupRest = 6.0;

const std::vector<std::pair<int, double>> kDropoffTop = {
    {236, 4.3}, {237, 4.0}, {161, 3.8}, {170, 3.2}, {141, 3.0}, {230, 3.0}, {162, 2.9}, {142, 2.8},
    {239, 2.8}, {68, 2.6},  {163, 2.6}, {238, 2.5}, {79, 2.3},  {234, 2.4}, {263, 2.4}, {48, 2.3},
    {107, 2.3}, {140, 2.5}, {186, 2.3}, {164, 2.0}, {249, 2.0}, {143, 1.8}, {229, 1.8}, {233, 1.6},
    {113, 1.8}, {262, 1.7}, {151, 1.5}, {75, 1.5},  {74, 1.4},  {246, 1.3}, {50, 1.3},  {100, 1.3},
    {43, 1.3},  {137, 1.2}, {90, 1.2},  {148, 1.2}, {166, 1.2}, {24, 1.0},  {41, 1.0},  {132, 1.6},
    {138, 1.4}, {264, 1.0}, {1, 0.35},  {7, 0.7},   {42, 0.8},  {114, 1.0}, {231, 1.0}, {87, 0.7},
    {211, 0.8}, {125, 0.7}, {144, 0.8}, {13, 0.7},  {261, 0.7}, {158, 0.6}, {224, 0.5}};
constexpr double kDropoffRest = 15.0;

// Zones whose trips pay the $2.50 congestion surcharge (Manhattan south of 96th Street, roughly).
constexpr int kCongestionZones[] = {4,   12,  13,  45,  48,  50,  68,  79,  87,  88,  90,  100, 103,
                                    104, 105, 107, 113, 114, 125, 137, 140, 141, 142, 143, 144, 148,
                                    158, 161, 162, 163, 164, 170, 186, 209, 211, 224, 229, 230, 231,
                                    232, 233, 234, 236, 237, 238, 239, 246, 249, 261, 262, 263};

// Relative trips per hour of day, weekdays (commute peaks, evening high) and weekends (busy
// nights, slow mornings).
constexpr double kWeekdayHours[24] = {1.6, 0.9, 0.6, 0.4, 0.4, 0.6, 1.6, 3.2, 4.4, 4.6, 4.6, 4.8,
                                      5.1, 5.3, 5.6, 5.8, 6.0, 6.6, 7.0, 6.4, 5.8, 5.7, 5.2, 3.6};
constexpr double kWeekendHours[24] = {4.2, 3.6, 2.8, 2.0, 1.2, 0.8, 0.9, 1.4, 2.0, 2.9, 3.8, 4.6,
                                      5.2, 5.5, 5.6, 5.6, 5.6, 5.7, 5.7, 5.3, 4.9, 4.8, 4.9, 4.6};
// Relative trips per day, Monday first; New Year's Day counts like a Sunday.
constexpr double kWeekdayShare[7] = {0.92, 1.0, 1.03, 1.07, 1.05, 1.0, 0.85};

int64_t EpochSeconds(int year, int month, int day) {
  using namespace std::chrono;
  sys_days d{std::chrono::year{year} / std::chrono::month{static_cast<unsigned>(month)} /
             std::chrono::day{static_cast<unsigned>(day)}};
  return static_cast<int64_t>(d.time_since_epoch().count()) * 86400;
}

}  // namespace

const std::vector<TaxiColumn>& TaxiColumns() {
  static const std::vector<TaxiColumn> kColumns = {{"VendorID", "BIGINT"},
                                                   {"tpep_pickup_datetime", "TIMESTAMP"},
                                                   {"tpep_dropoff_datetime", "TIMESTAMP"},
                                                   {"passenger_count", "DOUBLE"},
                                                   {"trip_distance", "DOUBLE"},
                                                   {"RatecodeID", "DOUBLE"},
                                                   {"store_and_fwd_flag", "VARCHAR"},
                                                   {"PULocationID", "BIGINT"},
                                                   {"DOLocationID", "BIGINT"},
                                                   {"payment_type", "BIGINT"},
                                                   {"fare_amount", "DOUBLE"},
                                                   {"extra", "DOUBLE"},
                                                   {"mta_tax", "DOUBLE"},
                                                   {"tip_amount", "DOUBLE"},
                                                   {"tolls_amount", "DOUBLE"},
                                                   {"improvement_surcharge", "DOUBLE"},
                                                   {"total_amount", "DOUBLE"},
                                                   {"congestion_surcharge", "DOUBLE"},
                                                   {"airport_fee", "DOUBLE"}};
  return kColumns;
}

namespace {

// The query over `row_source`, a relation with one BIGINT column `i` holding 0..rows-1 in order.
Result<std::string> BuildQuery(const TaxiOptions& o, std::string_view row_source) {
  if (o.rows < 0) return InvalidArgument("taxi rows must be >= 0, got {}", o.rows);
  if (o.year < 1900 || o.year > 9999)
    return InvalidArgument("taxi year {} is out of range", o.year);
  if (o.month < 1 || o.month > 12) return InvalidArgument("taxi month {} is out of range", o.month);

  using namespace std::chrono;
  const year_month ym{std::chrono::year{o.year},
                      std::chrono::month{static_cast<unsigned>(o.month)}};
  const int days = static_cast<int>(static_cast<unsigned>((ym / last).day()));
  const int64_t month_start = EpochSeconds(o.year, o.month, 1);
  const int64_t month_end = month_start + int64_t{days} * 86400;
  const int64_t stray_start = EpochSeconds(o.year - 14, o.month, 1);

  // The month as days (weights by weekday) and, within a day, hours (weekday or weekend profile).
  // A row's position i/N in the month is inverted through these two cumulative tables, so pickup
  // times rise with the row number and the output is in time order without a sort.
  std::vector<double> day_share(days), day_start(days + 1, 0.0);
  std::vector<bool> weekend_days(days, false);
  for (int d = 0; d < days; ++d) {
    weekday wd{sys_days{ym / std::chrono::day{static_cast<unsigned>(d + 1)}}};
    unsigned iso = wd.iso_encoding();  // 1 = Monday .. 7 = Sunday
    bool holiday = o.month == 1 && d == 0;
    day_share[d] = holiday ? kWeekdayShare[6] : kWeekdayShare[iso - 1];
    weekend_days[d] = iso >= 6 || holiday;
  }
  double total_share = 0;
  for (double s : day_share) total_share += s;
  for (int d = 0; d < days; ++d) {
    day_share[d] /= total_share;
    day_start[d + 1] = day_start[d] + day_share[d];
  }
  std::vector<std::pair<std::string, double>> day_choices;
  day_choices.reserve(days);
  for (int d = 0; d < days; ++d) day_choices.emplace_back(std::to_string(d), day_share[d]);

  // Hour tables for both profiles in one list: index profile*24 + hour (+1, lists are 1-based).
  std::vector<double> hour_start, hour_share;
  std::vector<std::pair<std::string, double>> weekday_hours, weekend_hours;
  for (const double* profile : {kWeekdayHours, kWeekendHours}) {
    double sum = 0;
    for (int h = 0; h < 24; ++h) sum += profile[h];
    double cum = 0;
    for (int h = 0; h < 24; ++h) {
      hour_start.push_back(cum);
      hour_share.push_back(profile[h] / sum);
      cum += profile[h] / sum;
      (profile == kWeekdayHours ? weekday_hours : weekend_hours)
          .emplace_back(std::to_string(h), profile[h]);
    }
  }

  std::vector<bool> congestion(265, false);
  for (int zone : kCongestionZones) congestion[zone - 1] = true;

  const std::string n = fmt::format("CAST({} AS DOUBLE)", o.rows);
  // Row r's draw for stream k: hash(hash(r, seed) XOR c_k) with distinct odd constants c_k, keeping
  // the 53 high bits, centred in their interval so the value is never 0 or 1.
  std::string uniforms;
  for (int k = 0; k < kStreamCount; ++k) {
    uint64_t c = (static_cast<uint64_t>(k) + 1) * 0x9E3779B97F4A7C15ULL;
    uniforms += fmt::format(
        ",\n    ((hash(xor(row_hash, CAST({} AS UBIGINT))) >> 11)::DOUBLE + 0.5) / "
        "9007199254740992.0"
        " AS u{}",
        c, k);
  }
  auto u = [](int k) { return fmt::format("u{}", k); };

  std::string sql;
  sql += fmt::format(
      "WITH r AS (SELECT i, hash(i, CAST({} AS UBIGINT)) AS row_hash FROM {}),\n"
      "s0 AS (\n  SELECT i{}\n  FROM r\n),\n",
      o.seed, row_source, uniforms);
  // Where in the month: day, hour within the day, second within the hour.
  sql += fmt::format("s1 AS (SELECT *, (i + {}) / {} AS q FROM s0),\n", u(kTimeInSlot), n);
  sql += fmt::format("s2 AS (SELECT *, {} AS d FROM s1),\n", Pick("q", day_choices));
  sql += fmt::format(
      "s3 AS (SELECT *, least(greatest((q - list_extract({}, d + 1)) / list_extract({}, d + 1), "
      "0.0),"
      " 0.999999999) AS qd, list_extract({}, d + 1) AS weekend FROM s2),\n",
      DoubleList(day_start), DoubleList(day_share), BoolList(weekend_days));
  sql += fmt::format("s4 AS (SELECT *, CASE WHEN weekend THEN {} ELSE {} END AS h FROM s3),\n",
                     Pick("qd", weekend_hours), Pick("qd", weekday_hours));
  sql += fmt::format(
      "s5 AS (SELECT *, CAST(weekend AS INTEGER) * 24 + h + 1 AS hk FROM s4),\n"
      "s6 AS (SELECT *, least(greatest(floor((qd - list_extract({0}, hk)) / list_extract({1}, hk)"
      " * 3600), 0), 3599) AS sec FROM s5),\n",
      DoubleList(hour_start), DoubleList(hour_share));

  // The trip: pickup second (with a little jitter and rare clock outliers), vendor, zones, rate.
  const std::string airport_zones = "1, 132, 138";
  sql += fmt::format(
      "s7 AS (SELECT *,\n"
      "  CASE WHEN {out} < 0.00001 THEN {start} - 1 - floor({off} * 21600)\n"
      "       WHEN {out} < 0.000013 THEN {stray} + floor({off} * 2419200)\n"
      "       WHEN {out} < 0.000018 THEN {end} + floor({off} * 86400)\n"
      "       ELSE {start} + d * 86400 + h * 3600 + sec + round(({jit} - 0.5) * 240) END AS "
      "pickup_s,\n"
      "  {null_u} < 0.0234 AS null_block,\n"
      "  CASE WHEN {vendor} < 0.27 THEN 1 ELSE 2 END AS vendor,\n"
      "  {pax} AS pax,\n"
      "  {pu} AS pu_pick,\n"
      "  {dz} AS do_pick,\n"
      "  CASE WHEN h < 6 THEN 0.8 WHEN h BETWEEN 8 AND 19 THEN 1.12 ELSE 1.0 END AS traffic\n"
      "  FROM s6),\n",
      fmt::arg("out", u(kTimeOutlier)), fmt::arg("off", u(kTimeOutlierOffset)),
      fmt::arg("jit", u(kTimeJitter)), fmt::arg("start", month_start), fmt::arg("end", month_end),
      fmt::arg("stray", stray_start), fmt::arg("null_u", u(kNullBlock)),
      fmt::arg("vendor", u(kVendor)),
      fmt::arg("pax", PickAlias(u(kPassengers), {{0, 1.7},
                                                 {1, 74.0},
                                                 {2, 15.0},
                                                 {3, 3.5},
                                                 {4, 2.0},
                                                 {5, 1.6},
                                                 {6, 1.1},
                                                 {7, 0.002},
                                                 {8, 0.004},
                                                 {9, 0.002}})),
      fmt::arg("pu", PickZone(u(kPickupZone), kPickupTop, kPickupRest)),
      fmt::arg("dz", PickZone(u(kDropoffZone), kDropoffTop, kDropoffRest)));
  sql += fmt::format(
      "s7z AS (SELECT *,\n"
      "  CASE WHEN pu_pick = 0 THEN CAST(floor({} * 265) AS BIGINT) + 1 ELSE pu_pick END AS "
      "pu_zone,\n"
      "  CASE WHEN do_pick = 0 THEN CAST(floor({} * 265) AS BIGINT) + 1 ELSE do_pick END AS "
      "do_zone\n"
      "  FROM s7),\n",
      u(kPickupZoneUniform), u(kDropoffZoneUniform));
  sql += fmt::format(
      "s8 AS (SELECT *,\n"
      "  pu_zone IN ({air}) OR do_zone IN ({air}) AS airport,\n"
      "  CASE WHEN pu_zone = 132 OR do_zone = 132 THEN 36 WHEN pu_zone = 1 OR do_zone = 1 THEN 40\n"
      "       ELSE 24 END AS air_min,\n"
      "  CASE WHEN pu_zone = 132 OR do_zone = 132 THEN 27 WHEN pu_zone = 1 OR do_zone = 1 THEN 25\n"
      "       ELSE 21 END AS air_mph,\n"
      "  CASE WHEN do_zone = 1 THEN 3\n"
      "       WHEN (pu_zone = 132 OR do_zone = 132) AND {jfk} < 0.62 THEN 2\n"
      "       WHEN {other} < 0.0016 THEN 4 WHEN {other} < 0.0066 THEN 5\n"
      "       WHEN {other} < 0.0106 THEN 99 ELSE 1 END AS rate,\n"
      "  CASE WHEN vendor = 1 AND {sf} < 0.026 THEN 'Y' ELSE 'N' END AS store_fwd,\n"
      "  sqrt(-2 * ln({na})) * cos(2 * pi() * {nb}) AS z1,\n"
      "  sqrt(-2 * ln({na})) * sin(2 * pi() * {nb}) AS z2\n"
      "  FROM s7z),\n",
      fmt::arg("air", airport_zones), fmt::arg("jfk", u(kRateJfk)),
      fmt::arg("other", u(kRateOther)), fmt::arg("sf", u(kStoreAndForward)),
      fmt::arg("na", u(kNormalA)), fmt::arg("nb", u(kNormalB)));

  // Duration and distance: log-normal duration (airport trips longer), a speed that makes the
  // distance, plus meter quirks: sub-minute trips, meters left running for hours, clock errors.
  sql += fmt::format(
      "s9 AS (SELECT *,\n"
      "  CASE WHEN {kind} < 0.0001 THEN -1 - floor({tail} * 600)\n"
      "       WHEN {kind} < 0.0051 THEN floor({tail} * 60)\n"
      "       WHEN {kind} < 0.0073 THEN 3600 + floor({tail} * 82800)\n"
      "       WHEN airport THEN round(60 * air_min * exp(0.3 * z1))\n"
      "       ELSE round(60 * 9.6 * traffic * exp(0.72 * z1)) END AS dur_s,\n"
      "  CASE WHEN airport THEN air_mph * exp(0.25 * z2) ELSE 10 * exp(0.35 * z2) / traffic END AS "
      "mph\n"
      "  FROM s8),\n"
      "s10 AS (SELECT *,\n"
      "  CASE WHEN {dk} < 0.000015 THEN round(1000 + {dv} * 249000, 2)\n"
      "       WHEN dur_s < 60 OR {dk} < 0.010015 THEN 0.0\n"
      "       ELSE greatest(round(least(dur_s, 5400) / 3600 * mph, 2), 0.01) END AS dist\n"
      "  FROM s9),\n",
      fmt::arg("kind", u(kDurationKind)), fmt::arg("tail", u(kDurationTail)),
      fmt::arg("dk", u(kDistanceKind)), fmt::arg("dv", u(kDistanceOutlier)));

  // Money. Metered fare: $3 flag drop, $3.50 a mile, $0.70 a minute for the share of the trip
  // spent slow in traffic (little of it on the way to an airport). Rate codes: 2 JFK flat $70,
  // 3 Newark (+$20), 4 out of town (x1.5), 5 negotiated.
  sql += fmt::format(
      "s11 AS (SELECT *,\n"
      "  3.0 + 3.5 * least(dist, 150)\n"
      "    + 0.7 * CASE WHEN airport THEN 0.1 ELSE 0.42 END * least(greatest(dur_s, 0), 10800) / 60"
      " AS metered,\n"
      "  {refund} < 0.0095 AS refund,\n"
      "  CASE WHEN list_extract({cz}, pu_zone) OR list_extract({cz}, do_zone) THEN 2.5 ELSE 0.0 END"
      " AS cong_raw,\n"
      "  CASE WHEN pu_zone IN (132, 138) THEN 1.25 ELSE 0.0 END AS airport_raw\n"
      "  FROM s10),\n"
      "s12 AS (SELECT *,\n"
      "  CASE WHEN {fo} < 0.00002 THEN round(250 + {fv} * 900, 2)\n"
      "       WHEN rate = 2 THEN 70.0\n"
      "       WHEN rate = 3 THEN round(20 + metered, 1)\n"
      "       WHEN rate = 4 THEN round(1.5 * metered, 1)\n"
      "       WHEN rate = 5 THEN round(15 + {fv} * 135, 0)\n"
      "       ELSE round(metered, 1) END AS fare0,\n"
      "  CASE WHEN rate = 5 THEN 0.0\n"
      "       WHEN h >= 20 OR h < 6 THEN 1.0\n"
      "       WHEN NOT weekend AND h BETWEEN 16 AND 19 THEN 2.5 ELSE 0.0 END\n"
      "    + CASE WHEN vendor = 1 AND cong_raw > 0 AND NOT null_block THEN 2.5 ELSE 0.0 END AS "
      "extra0,\n"
      "  CASE WHEN rate = 5 OR {odd} < 0.006 THEN 0.0 ELSE 0.5 END AS mta0,\n"
      "  CASE WHEN {odd} > 0.9985 THEN 0.3 WHEN {odd} > 0.994 THEN 0.0 ELSE 1.0 END AS "
      "improvement0,\n"
      "  CASE WHEN null_block THEN 0.0 ELSE cong_raw END AS cong0,\n"
      "  CASE WHEN null_block THEN 0.0 ELSE airport_raw END AS airport0,\n"
      "  CASE WHEN {toll} < CASE WHEN airport THEN 0.45 ELSE 0.035 END THEN {toll_value}\n"
      "       ELSE 0.0 END AS tolls0,\n"
      "  CASE WHEN null_block THEN 0\n"
      "       WHEN refund THEN {refund_payment}\n"
      "       ELSE {payment} END AS payment\n"
      "  FROM s11),\n",
      fmt::arg("refund", u(kRefund)), fmt::arg("cz", BoolList(congestion)),
      fmt::arg("fo", u(kFareOutlier)), fmt::arg("fv", u(kFareValue)),
      fmt::arg("odd", u(kSurchargeOddity)), fmt::arg("toll", u(kTolls)),
      fmt::arg("toll_value",
               Pick(u(kTollValue), {{"6.55", 70},
                                    {"6.94", 10},
                                    {"12.75", 8},
                                    {"13.38", 5},
                                    {fmt::format("round(2 + {} * 28, 2)", u(kTollValue)), 7}})),
      fmt::arg("refund_payment", Pick(u(kPaymentType), {{"4", 60}, {"3", 25}, {"2", 15}})),
      fmt::arg("payment",
               Pick(u(kPaymentType), {{"1", 80.0}, {"2", 18.3}, {"3", 0.2}, {"4", 0.5}})));

  // Tips: four card riders in five tip, mostly 20-30% of the fare and surcharges; cash tips are not
  // recorded. Refunds negate every amount and carry no tip.
  sql += fmt::format(
      "s13 AS (SELECT *,\n"
      "  CASE WHEN refund THEN 0.0\n"
      "       WHEN (payment = 1 AND {tipper} >= 0.2) OR (payment = 0 AND {tipper} >= 0.35) THEN\n"
      "         round((fare0 + extra0 + mta0 + improvement0 + cong0 + airport0) * ({pct}), 2)\n"
      "       ELSE 0.0 END AS tip,\n"
      "  CASE WHEN refund THEN -1.0 ELSE 1.0 END AS sign\n"
      "  FROM s12),\n"
      "s14 AS (SELECT *,\n"
      "  sign * fare0 AS fare, sign * extra0 AS extra_amt, sign * mta0 AS mta,\n"
      "  sign * tolls0 AS tolls, sign * improvement0 AS improvement,\n"
      "  sign * cong0 AS cong, sign * airport0 AS airport_amt\n"
      "  FROM s13)\n",
      fmt::arg("tipper", u(kTipper)),
      fmt::arg("pct",
               Pick(u(kTipPercent), {{"0.20", 45},
                                     {"0.25", 15},
                                     {"0.30", 5},
                                     {fmt::format("0.05 + 0.20 * {}", u(kTipPercent)), 35}})));

  sql += fmt::format(
      "SELECT\n"
      "  CAST(vendor AS BIGINT) AS VendorID,\n"
      "  make_timestamp(CAST(pickup_s AS BIGINT) * 1000000) AS tpep_pickup_datetime,\n"
      "  make_timestamp(CAST(pickup_s + dur_s AS BIGINT) * 1000000) AS tpep_dropoff_datetime,\n"
      "  CASE WHEN null_block THEN NULL ELSE CAST(pax AS DOUBLE) END AS passenger_count,\n"
      "  CAST(dist AS DOUBLE) AS trip_distance,\n"
      "  CASE WHEN null_block THEN NULL ELSE CAST(rate AS DOUBLE) END AS RatecodeID,\n"
      "  CASE WHEN null_block THEN NULL ELSE store_fwd END AS store_and_fwd_flag,\n"
      "  CAST(pu_zone AS BIGINT) AS PULocationID,\n"
      "  CAST(do_zone AS BIGINT) AS DOLocationID,\n"
      "  CAST(payment AS BIGINT) AS payment_type,\n"
      "  CAST(fare AS DOUBLE) AS fare_amount,\n"
      "  CAST(extra_amt AS DOUBLE) AS extra,\n"
      "  CAST(mta AS DOUBLE) AS mta_tax,\n"
      "  CAST(tip AS DOUBLE) AS tip_amount,\n"
      "  CAST(tolls AS DOUBLE) AS tolls_amount,\n"
      "  CAST(improvement AS DOUBLE) AS improvement_surcharge,\n"
      "  CAST(round(fare + extra_amt + mta + tip + tolls + improvement + cong + airport_amt, 2)"
      " AS DOUBLE) AS total_amount,\n"
      "  CASE WHEN null_block THEN NULL ELSE CAST(cong AS DOUBLE) END AS congestion_surcharge,\n"
      "  CASE WHEN null_block THEN NULL ELSE CAST(airport_amt AS DOUBLE) END AS airport_fee\n"
      "FROM s14");
  return sql;
}

}  // namespace

Result<std::string> TaxiMonthQuery(const TaxiOptions& options) {
  return BuildQuery(options, fmt::format("range({}) t(i)", options.rows));
}

Status GenerateTaxiMonth(engine::Connection& conn, const TaxiOptions& options,
                         const std::string& parquet_path,
                         const engine::ProgressCallback& progress) {
  if (parquet_path.empty()) return InvalidArgument("taxi month: empty output path");
  // range() is a single-threaded source, so the rows are numbered into a temporary table first:
  // its scan runs on every thread and still hands the COPY its rows in order (the output is the
  // same bytes either way; the unit test checks it).
  constexpr std::string_view kRowIds = "ldp_demo_taxi_row_ids";
  LDP_ASSIGN_OR_RAISE(std::string query,
                      BuildQuery(options, fmt::format("temp.main.{} t", kRowIds)));
  LDP_RETURN_NOT_OK_CTX(conn.Execute(fmt::format(
                            "CREATE OR REPLACE TEMP TABLE {} AS SELECT range AS i FROM range({})",
                            kRowIds, options.rows)),
                        "numbering taxi rows");
  std::string copy =
      fmt::format("COPY (\n{}\n) TO {} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1048576)",
                  query, engine::QuoteLiteral(parquet_path));
  Status st = progress ? conn.ExecuteWithProgress(copy, progress) : conn.Execute(copy);
  Status dropped = conn.Execute(fmt::format("DROP TABLE IF EXISTS temp.main.{}", kRowIds));
  if (!st.ok()) return st.WithContext(fmt::format("writing taxi month to {}", parquet_path));
  return dropped;
}

}  // namespace ldp::demo
