#include "tests/support/cli_run.h"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace roost::testing {

CliRun run_cli(const std::string& command, const std::string& err_file) {
  CliRun r;
  FILE* p = ::popen((command + " 2>" + err_file).c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream f(err_file);
  std::stringstream s;
  s << f.rdbuf();
  r.err = s.str();
  return r;
}

}  // namespace roost::testing
