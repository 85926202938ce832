#include "tests/support/card_fixture.hpp"

#include "firmware-model/card.hpp"
#include "host/documents/manifest_signature.hpp"
#include "protocol/commands.hpp"

namespace quorum::test {

namespace {
TestCeremony makeCeremony(const std::string& caName, const char* cardSetId, const std::string& hostName) {
    auto authority = crypto::CeremonyCa::create(caName, fromHex(cardSetId));
    auto key = crypto::EcPrivateKey::generate();
    auto certificate = authority.issueHost(key.publicKey(), hostName);
    return TestCeremony{std::move(authority), host::HostCredentials{std::move(key), std::move(certificate)}};
}
}  // namespace

const TestCeremony& TestCeremony::instance() {
    static const TestCeremony ceremony = makeCeremony("test ceremony CA", "5E7A11CEC0DE5E7A11CEC0DE5E7A11CE", "test host");
    return ceremony;
}

const TestCeremony& TestCeremony::other() {
    static const TestCeremony ceremony =
        makeCeremony("other ceremony CA", "07E207E207E207E207E207E207E207E2", "other host");
    return ceremony;
}

host::Manifest thresholdManifest(const crypto::CeremonyCa& ca, const crypto::shoup::PublicKey& key) {
    host::Manifest m;
    m.scheme = host::Manifest::kSchemeShoup;
    m.cardSetId = ca.cardSetId();
    m.k = key.k;
    m.n = key.n;
    m.caCertificatePem = ca.certificate().pem();
    for (int i = 1; i <= key.n; ++i)
        m.cards.push_back({i, Bytes(16, static_cast<std::uint8_t>(i)),
                           ca.issueCard(crypto::EcPrivateKey::generate().publicKey(), i).pem(), ""});
    m.rsaKey = key;
    m.signingKey.type = "rsa" + std::to_string(key.modulusBits());
    m.signingKey.publicKeyPem = key.toPem();
    host::signManifest(m, ca);  // as keygen signs it
    return m;
}

namespace {
// Commands that must travel inside an SCP11a session (docs/apdu-spec.md, state table).
bool needsSession(const Bytes& command) {
    if (command.size() < 4) return false;
    const auto arrival = protocol::arrivalOf(command[0], command[1], command[2], command[3]);
    return arrival == protocol::Arrival::Session || arrival == protocol::Arrival::Holder;
}
}  // namespace

std::string CardFixture::sendPlain(const std::string& hex) {
    session.reset();  // the card ends its session on any plain command
    const Bytes command = fromHex(hex);
    const Bytes response = card.process(command);
    if (trace.on) trace.wire.insert(trace.wire.end(), {command, response});
    if (trace.on) trace.plain.insert(trace.plain.end(), {command, response});
    return toHex(response);
}

std::string CardFixture::send(const std::string& hex) {
    const Bytes command = fromHex(hex);
    if (!needsSession(command)) return sendPlain(hex);
    if (!session || !card.inSecureSession()) openSession();
    try {
        const Bytes response = session->transmit(apdu::CommandApdu::parse(command)).encode();
        if (trace.on) trace.plain.insert(trace.plain.end(), {command, response});
        return toHex(response);
    } catch (const host::SessionClosedByCardError&) {
        session.reset();  // the card said 6982 and ended the session; tests read the status
        return "6982";
    }
}

void CardFixture::openSession(const std::optional<host::CeremonyTrust>& trust) {
    session.reset();
    sendPlain(script::kSelect);
    session = std::make_unique<host::SecureChannel>(link, trust ? *trust : TestCeremony::instance().trust());
}

void CardFixture::issueIdentity(int index, const TestCeremony& ceremony) {
    session.reset();
    host::QuorumCard quorum(link);
    quorum.issueIdentity(ceremony.ca, index);
}

}  // namespace quorum::test
