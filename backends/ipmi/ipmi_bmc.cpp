#include "backends/ipmi/ipmi_bmc.h"

#include <cstdlib>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "backends/ipmi/ipmitool_output.h"

namespace roost::backends::ipmi {

namespace {

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string error_text(const core::BmcError& e) { return std::string(core::to_string(e.code)) + ": " + e.detail; }

}  // namespace

IpmiBmc::IpmiBmc(ProcessRunner& runner, core::BmcEndpoint endpoint, IpmiOptions options, Observer observer)
    : runner_(runner), endpoint_(std::move(endpoint)), options_(std::move(options)), observer_(std::move(observer)) {}

std::vector<std::string> IpmiBmc::command(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{options_.ipmitool, "-I", options_.interface, "-H", endpoint_.address,
                                "-p", std::to_string(endpoint_.port)};
  if (!endpoint_.user.empty()) {
    argv.push_back("-U");
    argv.push_back(endpoint_.user);
  }
  for (std::string a : {std::string("-E"), std::string("-C"), std::to_string(options_.cipher_suite),
                        std::string("-N"), std::to_string(options_.retransmit_s), std::string("-R"),
                        std::to_string(options_.retries), std::string("-v")})
    argv.push_back(std::move(a));
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<std::string> IpmiBmc::environment() const {
  // LC_ALL=C: numbers and messages in the format the parser knows.
  const char* path = std::getenv("PATH");
  return {std::string("PATH=") + (path && *path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"),
          "LC_ALL=C", "IPMI_PASSWORD=" + endpoint_.password};
}

std::string IpmiBmc::describe(const std::vector<std::string>& args) const {
  std::string s = "ipmitool";
  for (const auto& a : args) s += " " + a;
  return s + " at " + endpoint_.address + ":" + std::to_string(endpoint_.port);
}

void IpmiBmc::power_status(core::BmcDone<core::PowerState> done) {
  const std::vector<std::string> args{"chassis", "power", "status"};
  enqueue({"power-status", args, options_.command_timeout,
           [what = describe(args), done = std::move(done)](const ProcessResult& r) -> std::string {
             if (r.timed_out) {
               core::BmcError e{core::BmcErrorCode::Timeout, what + ": no answer in time (" + r.describe_end() + ")"};
               done(e);
               return error_text(e);
             }
             if (!r.succeeded()) {
               auto e = classify_failure(what, r.err, r.out, r.describe_end());
               done(e);
               return error_text(e);
             }
             if (auto state = parse_power_status(r.out)) {
               done(*state);
               return "";
             }
             core::BmcError e{core::BmcErrorCode::Protocol, what + ": unexpected output \"" + trimmed(r.out) + "\""};
             done(e);
             return error_text(e);
           }});
}

void IpmiBmc::power(core::PowerAction action, core::BmcDone<void> done) {
  const char* verb = action == core::PowerAction::On    ? "on"
                     : action == core::PowerAction::Off ? "off"
                     : action == core::PowerAction::Reset ? "reset"
                                                          : "cycle";
  const std::vector<std::string> args{"chassis", "power", verb};
  enqueue({std::string(core::to_string(action)), args, options_.command_timeout,
           [what = describe(args), action, done = std::move(done)](const ProcessResult& r) -> std::string {
             core::BmcError e;
             if (r.timed_out) {
               e = {core::BmcErrorCode::Timeout, what + ": no answer in time (" + r.describe_end() + ")"};
             } else if (!r.succeeded()) {
               e = classify_failure(what, r.err, r.out, r.describe_end());
             } else if (parse_power_control(r.out, action)) {
               done({});
               return "";
             } else {
               e = {core::BmcErrorCode::Protocol, what + ": unexpected output \"" + trimmed(r.out) + "\""};
             }
             done(e);
             return error_text(e);
           }});
}

void IpmiBmc::read_sensors(core::BmcDone<std::vector<core::SensorReading>> done) {
  const std::vector<std::string> args{"sensor", "list"};
  enqueue({"read-sensors", args, options_.sensor_timeout,
           [what = describe(args), done = std::move(done)](const ProcessResult& r) -> std::string {
             core::BmcError e;
             if (r.timed_out) {
               e = {core::BmcErrorCode::Timeout, what + ": no answer in time (" + r.describe_end() + ")"};
             } else if (!r.succeeded()) {
               e = classify_failure(what, r.err, r.out, r.describe_end());
             } else {
               // An empty list is an answer: a BMC without sensor records (or an SDR not loaded yet).
               done(parse_sensor_list(r.out));
               return "";
             }
             done(e);
             return error_text(e);
           }});
}

void IpmiBmc::enqueue(Op op) {
  queue_.push_back(std::move(op));
  if (!busy_) start_next();
}

void IpmiBmc::start_next() {
  if (queue_.empty()) return;
  busy_ = true;
  Op op = std::move(queue_.front());
  queue_.pop_front();
  ProcessSpec spec;
  spec.argv = command(op.args);
  spec.env = environment();
  spec.timeout = op.timeout;
  auto argv = spec.argv;
  runner_.run(std::move(spec), [weak = weak_from_this(), op = std::move(op), argv = std::move(argv),
                                 observer = observer_, host = endpoint_.host](ProcessResult r) mutable {
    auto self = weak.lock();
    if (!self) {
      // The Bmc was dropped (its node crashed, say): nobody hears the answer, but the BMC may well have
      // acted, so the run is still reported.
      if (observer) {
        const bool ok = r.succeeded();
        const std::string end = ok ? "" : r.describe_end();
        observer(CommandTrace{host, op.name, std::move(argv), std::move(r), ok, end, true});
      }
      return;
    }
    self->busy_ = false;
    self.reset();  // the completion may drop the last reference to this Bmc
    const std::string error = op.finish(r);
    if (observer) observer(CommandTrace{host, op.name, std::move(argv), std::move(r), error.empty(), error});
    if (auto again = weak.lock()) again->start_next();
  });
}

std::shared_ptr<core::Bmc> make_bmc(boost::asio::io_context& io, ProcessRunner& runner,
                                    const core::BmcEndpoint& endpoint, const IpmiOptions& options,
                                    IpmiBmc::Observer observer) {
  auto failing = [&](core::BmcErrorCode code, std::string why) -> std::shared_ptr<core::Bmc> {
    return std::make_shared<core::FailingBmc>(endpoint, core::BmcError{code, std::move(why)},
                                              [&io](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); });
  };
  if (endpoint.protocol != "ipmi")
    return failing(core::BmcErrorCode::Unsupported, "BMC protocol \"" + endpoint.protocol + "\" of host " +
                                                        endpoint.host + " is not supported (this runtime speaks ipmi)");
  if (endpoint.address.empty())
    return failing(core::BmcErrorCode::Unreachable, "host " + endpoint.host + " has no BMC address");
  return std::make_shared<IpmiBmc>(runner, endpoint, options, std::move(observer));
}

}  // namespace roost::backends::ipmi
