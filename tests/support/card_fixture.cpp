#include "tests/support/card_fixture.hpp"

#include "firmware-model/card.hpp"

namespace quorum::test {

const TestCeremony& TestCeremony::instance() {
    static const TestCeremony ceremony = [] {
        auto ca = crypto::CeremonyCa::create("test ceremony CA", fromHex("5E7A11CEC0DE5E7A11CEC0DE5E7A11CE"));
        auto key = crypto::EcPrivateKey::generate();
        auto certificate = ca.issueHost(key.publicKey(), "test host");
        return TestCeremony{std::move(ca), host::HostCredentials{std::move(key), std::move(certificate)}};
    }();
    return ceremony;
}

const TestCeremony& TestCeremony::other() {
    static const TestCeremony ceremony = [] {
        auto ca = crypto::CeremonyCa::create("other ceremony CA", fromHex("07E207E207E207E207E207E207E207E2"));
        auto key = crypto::EcPrivateKey::generate();
        auto certificate = ca.issueHost(key.publicKey(), "other host");
        return TestCeremony{std::move(ca), host::HostCredentials{std::move(key), std::move(certificate)}};
    }();
    return ceremony;
}

bool needsSession(const Bytes& c) {
    if (c.size() < 4) return false;
    if ((c[0] & 0x80) != 0) return c[1] == card::ins::kGetShare || c[1] == card::ins::kPartialSign;
    switch (c[1]) {
        case card::ins::kVerify:
        case card::ins::kChangeReferenceData:
        case card::ins::kResetRetryCounter:
        case card::ins::kActivateFile: return true;
        case card::ins::kPutData: {
            const int object = (c[2] << 8) | c[3];
            return object == card::tag::kPinPolicy || object == card::tag::kPin ||
                   object == card::tag::kPuk || object == card::tag::kShare ||
                   object == card::tag::kRsaShare;
        }
        default: return false;
    }
}

std::string CardFixture::sendPlain(const std::string& hex) {
    session.reset();  // the card ends its session on any plain command
    return toHex(card.process(fromHex(hex)));
}

std::string CardFixture::send(const std::string& hex) {
    const Bytes command = fromHex(hex);
    if (!needsSession(command)) return sendPlain(hex);
    if (!session || !card.inSecureSession()) openSession();
    try {
        return toHex(session->transmit(apdu::CommandApdu::parse(command)).encode());
    } catch (const host::SessionClosedByCardError&) {
        session.reset();  // the card said 6982 and ended the session; tests read the status
        return "6982";
    }
}

void CardFixture::openSession(const std::optional<host::CeremonyTrust>& trust) {
    session.reset();
    sendPlain(script::kSelect);
    session = std::make_unique<host::SecureChannel>(chained, trust ? *trust : TestCeremony::instance().trust());
}

void CardFixture::issueIdentity(int index, const TestCeremony& ceremony) {
    session.reset();
    host::QuorumCard quorum(chained);
    quorum.issueIdentity(ceremony.ca, index);
}

}  // namespace quorum::test
