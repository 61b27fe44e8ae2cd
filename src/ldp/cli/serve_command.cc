// ldp serve: the project's catalog as an Iceberg REST catalog
// (docs/adr/0013-rest-catalog-server.md).
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "ldp/cli/command.h"
#ifdef LDP_SERVE_BY_EXEC
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>
#else
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "ldp/rest/catalog_service.h"
#include "ldp/rest/http_server.h"
#endif

namespace ldp::cli {
namespace {

class ServeCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("serve",
                                 "Serve the project's catalog over the Iceberg REST catalog API");
    c->add_option("--host", host_, "Address to listen on (default 127.0.0.1)");
    c->add_option("--port", port_, "Port (default 8181; 0 picks a free one and prints it)");
    c->add_option("--threads", threads_, "Worker threads (default 8)")->check(CLI::Range(1, 256));
    c->add_option("--token", tokens_,
                  "Accept this bearer token (repeatable; also $LDP_SERVE_TOKEN)");
    c->add_option(
        "--tokens-file", tokens_file_,
        "File of bearer tokens, one a line; 'credential ID:SECRET' lines add OAuth2 clients");
    c->add_option("--credential", credentials_,
                  "OAuth2 client credentials ID:SECRET for /v1/oauth/tokens (repeatable)");
    c->add_option("--prefix", prefix_, "Catalog prefix advertised in /v1/config");
    c->add_option("--max-body-mb", max_body_mb_, "Largest request body in MiB (default 16)")
        ->check(CLI::Range(1, 1024));
    c->add_flag("--allow-unauthenticated", allow_unauthenticated_,
                "Allow listening on a non-loopback address without any token or credential");
    c->add_flag("--no-scheduler", no_scheduler_,
                "Do not start `ldp scheduler` for the project's pipelines/ folder");
    return c;
  }

#ifdef LDP_SERVE_BY_EXEC
  // In the `ldp` binary: the server lives in the `ldp-serve` executable beside it, so that the
  // HTTP library (and the TLS and compression libraries it pulls in) is not loaded by every other
  // command (docs/adr/0007-process-start-up.md). Same arguments, same process id.
  Status Run(const GlobalOptions&) override {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) return Internal("cannot find the ldp executable: {}", std::strerror(errno));
    self[n] = '\0';
    std::string path(self);
    path = path.substr(0, path.rfind('/') + 1) + "ldp-serve";
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (const auto& a : RawArguments()) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    execv(path.c_str(), argv.data());
    return Internal("cannot start {}: {}", path, std::strerror(errno));
  }
#else
  // The scheduler runs beside the server as a child process `ldp scheduler` (the ldp executable
  // next to this one), so that the server does not link the orchestrator and a crash of either
  // leaves the other's state consistent (the scheduler is crash-safe on its own). The child gets
  // SIGTERM when the server stops, and from the kernel if the server dies.
  Result<pid_t> StartScheduler(const std::string& project_root, bool quiet) {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) return Internal("cannot find the ldp executable: {}", std::strerror(errno));
    self[n] = '\0';
    std::string exe(self);
    exe = exe.substr(0, exe.rfind('/') + 1) + "ldp";
    std::vector<std::string> args = {exe, "--project", project_root};
    if (quiet) args.push_back("--quiet");
    args.push_back("scheduler");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) return Internal("cannot start the scheduler: {}", std::strerror(errno));
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(0);  // the server is already gone
      // Its stdout would mix with the server's (--json prints one document there).
      if (int fd = ::dup(STDERR_FILENO); fd >= 0) ::dup2(fd, STDOUT_FILENO);
      execv(exe.c_str(), argv.data());
      std::fprintf(stderr, "ldp serve: cannot start %s: %s\n", exe.c_str(), std::strerror(errno));
      _exit(127);
    }
    return pid;
  }

  static void StopScheduler(pid_t pid) {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }

  Status Run(const GlobalOptions& g) override {
    rest::ServiceOptions opts;
    opts.prefix = prefix_;
    opts.auth.tokens = tokens_;
    if (const char* env = std::getenv("LDP_SERVE_TOKEN"); env && *env) {
      opts.auth.tokens.push_back(env);
    }
    if (!tokens_file_.empty()) LDP_RETURN_NOT_OK(rest::ReadTokensFile(tokens_file_, &opts.auth));
    for (const auto& cred : credentials_) {
      size_t colon = cred.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == cred.size()) {
        return InvalidArgument("--credential wants CLIENT_ID:CLIENT_SECRET, got '{}'", cred);
      }
      opts.auth.clients[cred.substr(0, colon)] = cred.substr(colon + 1);
    }
    const bool auth = !opts.auth.tokens.empty() || !opts.auth.clients.empty();
    if (!rest::IsLoopback(host_) && !auth && !allow_unauthenticated_) {
      return InvalidArgument(
          "refusing to serve the catalog on {} without authentication: give --token, "
          "--tokens-file or --credential, or --allow-unauthenticated",
          host_);
    }
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    opts.warehouse = project->warehouse();
    // The project's file system: local, or S3 with its local mirror (docs/adr/0018), so a
    // warehouse on object storage is served too. Not owned: the project outlives the service.
    std::shared_ptr<io::FileSystem> fs(&project->fs(), [](io::FileSystem*) {});
    rest::CatalogService service(project->catalog(), fs, opts);

    rest::HttpServerOptions http;
    http.host = host_;
    http.port = port_;
    http.threads = threads_;
    http.max_body_bytes = static_cast<size_t>(max_body_mb_) * 1024 * 1024;
    auto log_mu = std::make_shared<std::mutex>();
    http.log = [log_mu, quiet = g.quiet](const std::string& line) {
      if (quiet) return;
      std::lock_guard<std::mutex> lock(*log_mu);
      std::fprintf(stderr, "%s\n", line.c_str());
      std::fflush(stderr);
    };
    const std::string catalog_name = project->catalog().name();
    const std::string warehouse = project->warehouse();
    // Pipelines of the project are run by a scheduler started with the server.
    pid_t scheduler = 0;
    if (!no_scheduler_ && std::filesystem::is_directory(project->root() + "/pipelines")) {
      LDP_ASSIGN_OR_RAISE(scheduler, StartScheduler(project->root(), g.quiet));
    }
    http.on_listening = [&, json = g.json](int port) {
      std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
      std::string url = fmt::format("http://{}:{}", host, port);
      if (json) {
        std::cout << nlohmann::json{{"url", url},
                                    {"port", port},
                                    {"catalog", catalog_name},
                                    {"warehouse", warehouse},
                                    {"auth", auth},
                                    {"scheduler_pid", scheduler > 0 ? nlohmann::json(scheduler) : nlohmann::json(nullptr)}}
                         .dump()
                  << std::endl;
      } else {
        std::cout << "ldp serve: listening on " << url << " (catalog '" << catalog_name
                  << "', warehouse " << warehouse << ", "
                  << (auth ? "bearer tokens required" : "no authentication")
                  << (scheduler > 0 ? ", scheduler pid " + std::to_string(scheduler) : std::string())
                  << ")" << std::endl;
      }
    };
    rest::HttpServer server(service, http);
    Status served = server.Run();
    StopScheduler(scheduler);
    LDP_RETURN_NOT_OK(served);
    if (!g.json && !g.quiet) std::cout << "ldp serve: stopped" << std::endl;
    return Status::OK();
  }
#endif

 private:
  std::string host_ = "127.0.0.1";
  int port_ = 8181;
  int threads_ = 8;
  std::vector<std::string> tokens_;
  std::string tokens_file_;
  std::vector<std::string> credentials_;
  std::string prefix_;
  int max_body_mb_ = 16;
  bool allow_unauthenticated_ = false;
  bool no_scheduler_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeServeCommand() { return std::make_unique<ServeCommand>(); }

}  // namespace ldp::cli
