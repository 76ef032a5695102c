// Contract: the pulse/loss logic declares a stopped host lost after K missed pulses — on the real
// runtime (roostd processes on loopback, the host's process SIGKILLed) and in the simulation (a
// host-crash fault) alike — and declares it recovered once it answers again. The assertions are the
// same for both; only the runtime's transport slack differs.
#include <gtest/gtest.h>

#include "tests/contract/pulse_labs.h"

namespace roost::contract {
namespace {

class PulseContract : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<PulseLab> lab() {
    return GetParam() == "sim" ? make_sim_pulse_lab(11) : make_real_pulse_lab();
  }
};

TEST_P(PulseContract, StoppedHostIsLostAfterKMissesAndRecovers) {
  PulseContractSpec spec;  // 3 hosts, 100 ms period, K = 10: StarlingX's heartbeat defaults
  auto runtime = lab();
  const PulseObservation obs = runtime->run(spec);

  // Exactly the victim was lost, once; and it came back, once.
  ASSERT_EQ(obs.lost, std::vector<std::string>{spec.victim});
  ASSERT_EQ(obs.recovered, std::vector<std::string>{spec.victim});

  // Detection within one period of K x period: the last answered pulse went out at most one period
  // before the stop, and the K-th unanswered one is counted K periods after it.
  const double period = core::to_seconds(spec.period);
  const double slack = core::to_seconds(runtime->slack());
  const double k_periods = spec.miss_threshold * period;
  EXPECT_GE(obs.detection_s, k_periods - period - slack) << GetParam();
  EXPECT_LE(obs.detection_s, k_periods + period + slack) << GetParam();
  RecordProperty("detection_s", std::to_string(obs.detection_s));
  std::printf("[%s] detection %.3f s (K x period = %.3f s), recovery %.3f s after restart\n", GetParam().c_str(),
              obs.detection_s, k_periods, obs.recovery_s);
  EXPECT_GE(obs.recovery_s, 0.0);
}

INSTANTIATE_TEST_SUITE_P(Runtimes, PulseContract, ::testing::Values("sim", "real"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace roost::contract
