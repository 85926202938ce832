// The card's whole dispatch inside an SCP11a session with full protection. The session is opened
// (and, on the OPERATIONAL card, the PIN verified in it) once per stage; every input starts from a
// copy of that card and of the host's session, so the fuzzer spends its time on what comes after
// the handshake. Each step's command is wrapped by the host's session (flag bit 0) or sent as the
// input has it (a forged, replayed or garbled protected command). What a plain command may not
// do, a protected one may not either: crash, throw out of process(), persist memory the card
// would refuse to load; and every answer to a wrapped command must pass the host's checks.
#include <cstdint>
#include <optional>

#include "apdu/error.hpp"
#include "crypto/scp11.hpp"
#include "fuzz/card_harness.hpp"
#include "host/card/card_link.hpp"
#include "protocol/commands.hpp"
#include "tests/support/card_fixture.hpp"

using namespace quorum;
using namespace quorum::fuzz;
namespace scp11 = crypto::scp11;

namespace {

// The one memory and coprocessor the card copies work on (a Card keeps references to them).
card::MemoryNvm& liveNvm() {
    static card::MemoryNvm nvm;
    return nvm;
}
test::CountingCoprocessor& liveCoprocessor() {
    static test::CountingCoprocessor coprocessor;
    return coprocessor;
}

struct SessionStart {
    card::MemoryNvm nvm;                           // the memory at the snapshot
    std::optional<card::Card> card;                // the card with its session open (RAM state)
    std::optional<crypto::SecureMessaging> host;   // the host's side of that session
};

SessionStart openSession(Stage stage) {
    SessionStart start;
    liveNvm() = card::MemoryNvm(stageImage(stage));
    liveCoprocessor() = test::CountingCoprocessor();
    card::Card card(liveNvm(), liveCoprocessor());
    sim::InProcessChannel raw(card);
    host::CardLink link(raw);
    const auto& ceremony = test::TestCeremony::instance();
    if (!link.transmit(apdu::CommandApdu::parse(fromHex(test::script::kSelect))).ok())
        violated("the test card does not answer SELECT");
    apdu::CommandApdu getCertificate = protocol::command::getData(protocol::tag::kCertificateStore);
    getCertificate.data = scp11::certificateKeyReference();
    const auto certificate = crypto::Certificate::fromDer(link.transmit(getCertificate).data);
    scp11::HostHandshake handshake(ceremony.host.key, {ceremony.host.certificate}, certificate.publicKey());
    for (const auto& command : handshake.certificateCommands()) {
        if (!link.transmit(command).ok()) violated("the test card refuses the host certificate");
    }
    crypto::SecureMessaging host = handshake.finish(link.transmit(handshake.mutualAuthenticate()));
    if (stage == Stage::Operational) {
        const auto verify = apdu::CommandApdu::parse(fromHex(test::script::kVerifyPin));
        if (!host.unwrapResponse(link.transmit(host.wrapCommand(verify))).ok())
            violated("the test card refuses its PIN");
    }
    start.nvm = liveNvm();
    start.card.emplace(card);
    start.host.emplace(host);
    return start;
}

const SessionStart& sessionStart(Stage stage) {
    static const std::vector<SessionStart> starts = [] {
        std::vector<SessionStart> all;
        for (int s = 0; s < kStages; ++s) {
            // A BLANK card without an identity has no SCP11a key: it starts from the issued one.
            all.push_back(openSession(s == 0 ? Stage::Issued : static_cast<Stage>(s)));
        }
        return all;
    }();
    return starts.at(static_cast<std::size_t>(stage));
}

// The host wraps commands of class 00 or 80 (no chaining, channel or SM bits), never SELECT (which
// ends a session: docs/apdu-spec.md) or GET RESPONSE (below secure messaging).
bool hostWouldWrap(const Bytes& command) {
    return command.size() >= 4 && (command[0] == 0x00 || command[0] == 0x80) && command[1] != 0xA4 &&
           command[1] != 0xC0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const auto& start = sessionStart(static_cast<Stage>(in.byte() % kStages));
    liveNvm() = start.nvm;
    liveCoprocessor() = test::CountingCoprocessor();
    card::Card card(*start.card);
    std::optional<crypto::SecureMessaging> host = start.host;
    std::vector<Bytes> sent;
    for (int steps = 0; !in.empty() && steps < 32; ++steps) {
        const bool wrap = in.byte() & 1;
        Step step = nextStep(in);
        if (step.kind == Step::Kind::Reset) {
            card.reset();
            continue;
        }
        if (step.kind == Step::Kind::PowerCycle) {
            card.powerOff();
            card.powerOn();
            continue;
        }
        Bytes command = step.command;
        bool wrapped = false;
        if (wrap && host && hostWouldWrap(step.command)) {
            try {
                command = host->wrapCommand(apdu::CommandApdu::parse(step.command)).encode();
                wrapped = true;
            } catch (const apdu::ApduError&) {
                command = step.command;  // not a command the host could send: as it is
            }
        }
        const Bytes response = card.process(command);
        if (response.size() < 2) violated("a response without a status word");
        sent.push_back(std::move(step.command));
        if (!wrapped) {
            checkNoShareLeak(response, sent);
            continue;
        }
        const auto answer = apdu::ResponseApdu::parse(response);
        if (answer.sw == 0x6982 && answer.data.empty()) {
            host.reset();  // the card ended the session
            continue;
        }
        if ((answer.sw >> 8) == 0x61) continue;  // the rest waits for GET RESPONSE
        try {
            host->unwrapResponse(answer);
        } catch (const crypto::SecureMessagingError& e) {
            violated(std::string("the card's answer to a wrapped command fails the host's check: ") + e.what());
        }
    }
    checkPersisted(liveNvm(), start.nvm.persistCount());
    return 0;
}
