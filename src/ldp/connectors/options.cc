#include "ldp/connectors/options.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ldp::connectors {
namespace {

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

struct Ctx {
  EnvLookup env;
  std::string origin;
  std::vector<std::string>* secrets;
};

// Resolves "{{ env.NAME }}" references; every resolved value is a secret.
Result<std::string> Template(const std::string& in, const Ctx& ctx, int line, const std::string& key) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t open = in.find("{{", pos);
    if (open == std::string::npos) {
      out += in.substr(pos);
      return out;
    }
    size_t close = in.find("}}", open);
    if (close == std::string::npos)
      return InvalidArgument("{}:{}: key '{}': unclosed '{{{{'", ctx.origin, line, key);
    out += in.substr(pos, open - pos);
    std::string expr = in.substr(open + 2, close - open - 2);
    expr.erase(0, expr.find_first_not_of(" \t"));
    expr.erase(expr.find_last_not_of(" \t") + 1);
    if (expr.rfind("env.", 0) != 0)
      return InvalidArgument("{}:{}: key '{}': only {{{{ env.NAME }}}} references are supported, not '{}'",
                             ctx.origin, line, key, expr);
    std::string name = expr.substr(4);
    auto v = ctx.env(name);
    if (!v) return NotFound("{}:{}: key '{}': environment variable {} is not set", ctx.origin, line, key, name);
    if (!v->empty()) ctx.secrets->push_back(*v);
    out += *v;
    pos = close + 2;
  }
}

Result<nlohmann::json> ToJson(const YAML::Node& n, const Ctx& ctx, const std::string& key) {
  int line = n.Mark().line + 1;
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : n) {
        std::string k = kv.first.as<std::string>();
        LDP_ASSIGN_OR_RAISE(o[k], ToJson(kv.second, ctx, key.empty() ? k : key + "." + k));
      }
      return o;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& e : n) {
        LDP_ASSIGN_OR_RAISE(auto v, ToJson(e, ctx, key));
        a.push_back(std::move(v));
      }
      return a;
    }
    case YAML::NodeType::Scalar: {
      LDP_ASSIGN_OR_RAISE(auto s, Template(n.Scalar(), ctx, line, key));
      // Plain scalars that read as numbers or booleans keep that type; quoted ones stay strings.
      if (n.Tag() != "!") {
        if (s == "true" || s == "false") return nlohmann::json(s == "true");
        char* end = nullptr;
        long long i = std::strtoll(s.c_str(), &end, 10);
        if (!s.empty() && end && *end == '\0') return nlohmann::json(static_cast<int64_t>(i));
        double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == '\0') return nlohmann::json(d);
      }
      return nlohmann::json(s);
    }
    default:
      return nlohmann::json();
  }
}

const nlohmann::json* At(const nlohmann::json& root, const std::string& path) {
  const nlohmann::json* cur = &root;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(part);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

}  // namespace

SourceKind KindOfUri(const std::string& uri, bool has_config) {
  if (uri.rfind("postgresql://", 0) == 0 || uri.rfind("postgres://", 0) == 0) return SourceKind::kPostgres;
  if (uri.rfind("bigquery://", 0) == 0) return SourceKind::kBigQuery;
  if ((uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0) && has_config) return SourceKind::kRest;
  return SourceKind::kFile;
}

std::string RedactUri(const std::string& uri) {
  size_t scheme = uri.find("://");
  if (scheme == std::string::npos) return uri;
  size_t at = uri.find('@', scheme + 3);
  size_t slash = uri.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return uri;
  std::string userinfo = uri.substr(scheme + 3, at - scheme - 3);
  size_t colon = userinfo.find(':');
  if (colon == std::string::npos) return uri;
  return uri.substr(0, scheme + 3) + userinfo.substr(0, colon) + ":***" + uri.substr(at);
}

Result<ConnectorOptions> ConnectorOptions::FromYaml(const std::string& source_uri, const std::string& text,
                                                    const std::string& origin, EnvLookup env) {
  ConnectorOptions o;
  Ctx ctx{env ? env : &ProcessEnv, origin, &o.secrets_};
  if (!text.empty()) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      return InvalidArgument("{}:{}: {}", origin, e.mark.line + 1, e.msg);
    }
    if (root.IsDefined() && !root.IsNull()) {
      if (!root.IsMap()) return InvalidArgument("{}: expected a mapping of options", origin);
      LDP_ASSIGN_OR_RAISE(o.config_, ToJson(root, ctx, ""));
    }
  }
  // Every auth value is a secret, whether it came from the environment or not.
  if (auto* auth = At(o.config_, "auth"); auth && auth->is_object())
    for (const auto& [k, v] : auth->items())
      if (v.is_string() && k != "type" && k != "name" && k != "in" && k != "username" && !v.get<std::string>().empty())
        o.secrets_.push_back(v.get<std::string>());
  o.uri_ = source_uri;
  if (o.uri_.empty()) o.uri_ = o.Str("url", o.Str("uri"));
  {
    // The URI may carry {{ env.X }} too (a password in a postgresql:// URI).
    LDP_ASSIGN_OR_RAISE(o.uri_, Template(o.uri_, ctx, 0, "source"));
  }
  std::string pw = RedactUri(o.uri_);
  if (pw != o.uri_) {
    size_t scheme = o.uri_.find("://") + 3;
    size_t at = o.uri_.find('@', scheme);
    std::string userinfo = o.uri_.substr(scheme, at - scheme);
    std::string secret = userinfo.substr(userinfo.find(':') + 1);
    if (!secret.empty()) o.secrets_.push_back(secret);
  }
  std::string type = o.Str("type");
  if (type == "rest" || type == "http") o.kind_ = SourceKind::kRest;
  else if (type == "postgres" || type == "postgresql") o.kind_ = SourceKind::kPostgres;
  else if (type == "bigquery") o.kind_ = SourceKind::kBigQuery;
  else if (type == "file") o.kind_ = SourceKind::kFile;
  else if (!type.empty()) return InvalidArgument("{}: unknown type '{}' (use rest, postgres, bigquery or file)", origin, type);
  else o.kind_ = KindOfUri(o.uri_, !text.empty());
  // A BigQuery config needs no URI: it names itself by its project.
  if (o.uri_.empty() && o.kind_ == SourceKind::kBigQuery) o.uri_ = "bigquery://" + o.Str("project");
  if (o.uri_.empty()) return InvalidArgument("{}: no source: give a URI or `url:`/`uri:` in the config", origin);
  return o;
}

Result<ConnectorOptions> ConnectorOptions::Load(const std::string& source_uri, const std::string& config_path,
                                                EnvLookup env) {
  std::string text;
  if (!config_path.empty()) {
    std::ifstream in(config_path);
    if (!in) return NotFound("source config {} cannot be read", config_path);
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
      return InvalidArgument("source config {} is empty", config_path);
  }
  return FromYaml(source_uri, text, config_path.empty() ? "source" : config_path, env);
}

std::string ConnectorOptions::StateName(const std::string& fallback) const {
  std::string n = Str("name");
  return n.empty() ? fallback : n;
}

bool ConnectorOptions::Has(const std::string& path) const { return At(config_, path) != nullptr; }

std::string ConnectorOptions::Str(const std::string& path, const std::string& def) const {
  const auto* v = At(config_, path);
  if (!v || v->is_null()) return def;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return std::to_string(v->get<int64_t>());
  return v->dump();
}

Result<int64_t> ConnectorOptions::Int(const std::string& path, int64_t def) const {
  const auto* v = At(config_, path);
  if (!v || v->is_null()) return def;
  if (v->is_number_integer()) return v->get<int64_t>();
  return InvalidArgument("source option '{}' must be an integer, not {}", path, v->dump());
}

Result<double> ConnectorOptions::Double(const std::string& path, double def) const {
  const auto* v = At(config_, path);
  if (!v || v->is_null()) return def;
  if (v->is_number()) return v->get<double>();
  return InvalidArgument("source option '{}' must be a number, not {}", path, v->dump());
}

bool ConnectorOptions::Bool(const std::string& path, bool def) const {
  const auto* v = At(config_, path);
  if (!v || v->is_null()) return def;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) return v->get<std::string>() == "true" || v->get<std::string>() == "yes";
  return def;
}

std::map<std::string, std::string> ConnectorOptions::StrMap(const std::string& path) const {
  std::map<std::string, std::string> out;
  const auto* v = At(config_, path);
  if (!v || !v->is_object()) return out;
  for (const auto& [k, e] : v->items()) out[k] = e.is_string() ? e.get<std::string>() : e.dump();
  return out;
}

std::string ConnectorOptions::Redact(const std::string& text) const {
  std::string out = text;
  for (const auto& s : secrets_) {
    if (s.empty()) continue;
    for (size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 3)) out.replace(pos, s.size(), "***");
  }
  return out;
}

Status ConnectorOptions::Redact(const Status& st) const {
  if (st.ok()) return st;
  return Status(st.code(), Redact(st.message()));
}

std::string ConnectorOptions::Describe() const {
  std::string u = Redact(RedactUri(uri_));
  // Query strings may hold API keys: keep only the path.
  size_t q = u.find('?');
  return q == std::string::npos ? u : u.substr(0, q);
}

void ConnectorOptions::AddSecret(const std::string& value) {
  if (!value.empty()) secrets_.push_back(value);
}

}  // namespace ldp::connectors
