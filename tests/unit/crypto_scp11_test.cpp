// SCP11a handshake between the host and card halves, in process, with ceremony certificates.
#include <doctest/doctest.h>

#include "apdu/tlv.hpp"
#include "crypto/certificate.hpp"
#include "crypto/primitives.hpp"
#include "crypto/scp11.hpp"

using namespace quorum;
using namespace quorum::crypto;

namespace {
struct Parties {
    CeremonyCa ca = CeremonyCa::create("test ceremony CA", Bytes(16, 0x5A));
    EcPrivateKey hostKey = EcPrivateKey::generate();
    Certificate hostCert = ca.issueHost(hostKey.publicKey(), "test host");
    EcPrivateKey cardKey = EcPrivateKey::generate();
    Certificate cardCert = ca.issueCard(cardKey.publicKey(), 1);
};
}  // namespace

TEST_CASE("crypto: SCP11a key derivation splits the X9.63 output receipt, S-ENC, S-MAC, S-RMAC, S-DEK") {
    const Bytes shSee(32, 0x11), shSes(32, 0x22);
    Bytes z = shSee;
    z.insert(z.end(), shSes.begin(), shSes.end());
    const Bytes all = x963KdfSha256(z, fromHex("3C8810"), 80);  // key usage, type, length
    const auto keys = scp11::deriveKeys(shSee, shSes);
    CHECK(toHex(keys.receiptKey) == toHex(Bytes(all.begin(), all.begin() + 16)));
    CHECK(toHex(keys.session.enc) == toHex(Bytes(all.begin() + 16, all.begin() + 32)));
    CHECK(toHex(keys.session.mac) == toHex(Bytes(all.begin() + 32, all.begin() + 48)));
    CHECK(toHex(keys.session.rmac) == toHex(Bytes(all.begin() + 48, all.begin() + 64)));
    CHECK(toHex(keys.session.dek) == toHex(Bytes(all.begin() + 64, all.end())));
}

TEST_CASE("crypto: SCP11a handshake, then both ends talk through secure messaging") {
    Parties p;
    scp11::HostHandshake host(p.hostKey, {p.hostCert}, p.cardCert.publicKey());
    const auto psos = host.certificateCommands();
    REQUIRE(psos.size() == 1);
    CHECK(toHex(psos[0].encode()).substr(0, 8) == "802A0110");  // PSO, KVN 01, KID 10, last cert
    const auto request = host.mutualAuthenticate();
    CHECK(request.cla == 0x80);
    CHECK(request.ins == 0x82);
    const auto parsed = apdu::parseTlv(request.data);
    REQUIRE(parsed.size() == 2);
    CHECK(toHex(parsed[0].encode()) == "A60D" "90021101" "95013C" "800188" "810110");

    auto card = scp11::cardMutualAuthenticate(p.cardKey, p.hostCert.publicKey(), request.data,
                                              EcPrivateKey::generate());
    SecureMessaging hostSession = host.finish({card.responseData, 0x9000});
    CHECK(hostSession.level().isFull());
    CHECK(toHex(hostSession.macChain()) == toHex(card.session.macChain()));  // both start at the receipt

    const apdu::CommandApdu verify{0x00, 0x20, 0x00, 0x81, fromHex("313233343536FFFF"), std::nullopt};
    const auto wrapped = hostSession.wrapCommand(verify);
    CHECK(wrapped.cla == 0x04);
    CHECK(toHex(wrapped.data).find("313233343536") == std::string::npos);  // the PIN is encrypted
    CHECK(toHex(card.session.unwrapCommand(wrapped).data) == "313233343536FFFF");
    const auto answer = card.session.wrapResponse({fromHex("CAFE"), 0x9000});
    CHECK(toHex(hostSession.unwrapResponse(answer).data) == "CAFE");
}

TEST_CASE("crypto: SCP11a refuses a card without the certified key and malformed requests") {
    Parties p;
    scp11::HostHandshake host(p.hostKey, {p.hostCert}, p.cardCert.publicKey());
    const auto request = host.mutualAuthenticate();
    // A card holding another private key cannot produce the receipt.
    const EcPrivateKey impostor = EcPrivateKey::generate();
    auto fake = scp11::cardMutualAuthenticate(impostor, p.hostCert.publicKey(), request.data,
                                              EcPrivateKey::generate());
    CHECK_THROWS_WITH_AS(host.finish({fake.responseData, 0x9000}),
                         doctest::Contains("did not prove possession"), scp11::HandshakeError);
    // The card refuses other parameters than SCP11a / AES-128 / full protection.
    Bytes other = request.data;
    other[5] = 0x03;  // "i" of SCP11c
    CHECK_THROWS_WITH_AS(scp11::cardMutualAuthenticate(p.cardKey, p.hostCert.publicKey(), other,
                                                       EcPrivateKey::generate()),
                         doctest::Contains("SCP11a"), scp11::HandshakeError);
    Bytes weak = request.data;
    weak[8] = 0x34;  // key usage without R-ENCRYPTION... any other value
    CHECK_THROWS_AS(scp11::cardMutualAuthenticate(p.cardKey, p.hostCert.publicKey(), weak,
                                                  EcPrivateKey::generate()),
                    scp11::HandshakeError);
    Bytes notAPoint = request.data;
    notAPoint[notAPoint.size() - 1] ^= 0x01;  // the host's ephemeral point, off the curve
    CHECK_THROWS_AS(scp11::cardMutualAuthenticate(p.cardKey, p.hostCert.publicKey(), notAPoint,
                                                  EcPrivateKey::generate()),
                    scp11::HandshakeError);
    CHECK_THROWS_AS(host.finish(apdu::ResponseApdu::status(0x6982)), scp11::HandshakeError);
}
