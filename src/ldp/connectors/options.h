#pragma once
// The one option set every connector reads: a source URI and/or a YAML config file
// (`--source-config FILE`), with `{{ env.NAME }}` references resolved from the environment.
// Values that came from the environment, and every auth value, are secrets: Redact() replaces
// them in any text (errors, logs, --json) before it leaves the connectors module.
//
// Thread-safety: immutable after Load(); safe to share for reading.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ldp/core/status.h"

namespace ldp::connectors {

/// Where `{{ env.NAME }}` values come from; the process environment by default (tests inject).
using EnvLookup = std::optional<std::string> (*)(const std::string& name);

/// The kinds of source a URI or config can pick.
enum class SourceKind { kFile, kRest, kPostgres, kBigQuery };

class ConnectorOptions {
 public:
  /// Builds the options from a source URI (may be empty when the config has `url`/`uri`) and an
  /// optional YAML file. InvalidArgument names the file, line and key at fault; NotFound the
  /// file or an unset environment variable.
  static Result<ConnectorOptions> Load(const std::string& source_uri, const std::string& config_path,
                                       EnvLookup env = nullptr);
  /// The same from YAML text (`origin` names it in errors).
  static Result<ConnectorOptions> FromYaml(const std::string& source_uri, const std::string& yaml_text,
                                           const std::string& origin, EnvLookup env = nullptr);

  SourceKind kind() const { return kind_; }
  /// The source URI (with secrets in it, for connecting; never print it: use Describe()).
  const std::string& uri() const { return uri_; }
  /// The config as JSON (env references resolved).
  const nlohmann::json& config() const { return config_; }
  /// The name cursors are kept under: `name:` in the config, else `fallback`.
  std::string StateName(const std::string& fallback) const;

  /// String value at a dotted path ("auth.token"), or `def`.
  std::string Str(const std::string& path, const std::string& def = "") const;
  /// Integer / double / bool at a dotted path, or `def`; InvalidArgument when not a number.
  Result<int64_t> Int(const std::string& path, int64_t def) const;
  Result<double> Double(const std::string& path, double def) const;
  bool Bool(const std::string& path, bool def) const;
  /// Object of string values at a path (headers, params); empty when absent.
  std::map<std::string, std::string> StrMap(const std::string& path) const;
  bool Has(const std::string& path) const;

  /// `text` with every secret replaced by "***".
  std::string Redact(const std::string& text) const;
  Status Redact(const Status& st) const;
  /// The URI without user info or password, for messages.
  std::string Describe() const;
  /// Registers one more secret (e.g. an access token obtained at run time).
  void AddSecret(const std::string& value);

 private:
  SourceKind kind_ = SourceKind::kFile;
  std::string uri_;
  nlohmann::json config_ = nlohmann::json::object();
  std::vector<std::string> secrets_;
};

/// The kind a URI names: postgresql:// or postgres:// -> kPostgres, bigquery:// -> kBigQuery,
/// http(s):// -> kRest when a config is given (a plain URL without one is a file download).
SourceKind KindOfUri(const std::string& uri, bool has_config);

/// A URI with its password (user:PASSWORD@) replaced by "***".
std::string RedactUri(const std::string& uri);

}  // namespace ldp::connectors
