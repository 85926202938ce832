#include "conformance/conversation.hpp"

#include <map>

#include "apdu/error.hpp"
#include "apdu/status.hpp"
#include "conformance/reshare_values.hpp"
#include "crypto/ec.hpp"
#include "crypto/feldman.hpp"
#include "crypto/scp11.hpp"
#include "crypto/shoup.hpp"
#include "host/base/error.hpp"
#include "protocol/commands.hpp"
#include "protocol/identifiers.hpp"

namespace quorum::conformance {

namespace {

const std::map<Via, std::string>& viaNames() {
    static const std::map<Via, std::string> names{
        {Via::Raw, "raw"},           {Via::Link, "link"},         {Via::Session, "session"},
        {Via::Tampered, "tampered"}, {Via::Replayed, "replayed"}, {Via::Reset, "reset"},
        {Via::Unpower, "unpower"}};
    return names;
}

Bytes slice(const Bytes& bytes, std::size_t from, std::size_t size) {
    if (from + size > bytes.size()) throw StepFailure("a value is shorter than its layout");
    return Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(from),
                 bytes.begin() + static_cast<std::ptrdiff_t>(from + size));
}

// The threshold RSA test key from its values: {rsa_modulus}, {rsa_v}, {rsa_verification_keys}
// (n keys of L bytes) and {rsa_nk} (n, k).
crypto::shoup::PublicKey rsaKey(const Values& values) {
    crypto::shoup::PublicKey key;
    key.modulus = knownValue(values, "rsa_modulus");
    key.v = knownValue(values, "rsa_v");
    const Bytes& nk = knownValue(values, "rsa_nk");
    if (nk.size() != 2) throw StepFailure("{rsa_nk} is not two bytes");
    key.n = nk[0];
    key.k = nk[1];
    const Bytes& keys = knownValue(values, "rsa_verification_keys");
    for (int i = 0; i < key.n; ++i) key.verificationKeys.push_back(slice(keys, i * key.modulusSize(), key.modulusSize()));
    return key;
}

std::vector<Bytes> pieces(const Bytes& bytes, std::size_t size) {
    std::vector<Bytes> out;
    for (std::size_t at = 0; at + size <= bytes.size(); at += size) out.push_back(slice(bytes, at, size));
    return out;
}

// Whether the answer to `step` may release a share (GET SHARE), so that no failure shows it.
bool answerMayHoldShare(const Step& step) {
    if (step.via == Via::Reset || step.via == Via::Unpower || step.via == Via::Replayed) return false;
    try {
        const Bytes header = fromHex(step.command.substr(0, 5));  // "CL IN"
        return header.size() == 2 && header[1] == protocol::ins::kGetShare;
    } catch (const std::invalid_argument&) {
        return true;  // not a plain header: show nothing rather than too much
    }
}

// What a failure message may show of an exchange: never the data of a command that carries a
// PIN, PUK or share, nor of an answer that releases one.
std::string shown(const Bytes& command) {
    if (protocol::commandCarriesSecret(command))
        return toHex(Bytes(command.begin(), command.begin() + 4), " ") + " <data not shown>";
    return command.size() > 24 ? toHex(Bytes(command.begin(), command.begin() + 24), " ") + " .." : toHex(command, " ");
}

}  // namespace

const Bytes& knownValue(const Values& values, const std::string& name) {
    const auto found = values.find(name);
    if (found == values.end()) throw StepFailure("{" + name + "} is not known at this step");
    return found->second;
}

Json::Value Step::toJson() const {
    Json::Value json(Json::objectValue);
    json["via"] = viaNames().at(via);
    if (!command.empty()) json["command"] = command;
    if (!data.empty()) json["data"] = data;
    if (ne) json["le"] = static_cast<Json::UInt64>(*ne);
    if (flip) json["flip"] = static_cast<Json::UInt64>(*flip);
    if (!expect.empty()) json["expect"] = expect;
    if (!host.empty()) json["host"] = host;
    if (!check.empty()) json["check"] = check;
    if (!note.empty()) json["note"] = note;
    return json;
}

Step Step::fromJson(const Json::Value& json) {
    if (!json.isObject()) throw PatternError("a step is not a JSON object");
    Step step;
    const std::string via = json.get("via", "").asString();
    bool known = false;
    for (const auto& [v, name] : viaNames())
        if (name == via) step.via = v, known = true;
    if (!known) throw PatternError("a step's \"via\" is \"" + via + "\", not one of raw, link, session, tampered, replayed, reset, unpower");
    step.command = json.get("command", "").asString();
    step.data = json.get("data", "").asString();
    if (json.isMember("le")) step.ne = json["le"].asUInt64();
    if (json.isMember("flip")) step.flip = json["flip"].asUInt64();
    step.expect = json.get("expect", "").asString();
    step.host = json.get("host", "").asString();
    step.check = json.get("check", "").asString();
    step.note = json.get("note", "").asString();
    return step;
}

Conversation::Conversation(host::PcscCard& card, const HostSide& host, Values& values)
    : card_(card), raw_(card_), link_(raw_), host_(host), values_(values) {}

std::vector<Step> Conversation::takeSteps() {
    std::vector<Step> out;
    out.swap(steps_);
    stepNumber_ = 0;
    return out;
}

void Conversation::run(const Step& step) {
    ++stepNumber_;
    steps_.push_back(step);
    const std::string where = "step " + std::to_string(stepNumber_) + (step.note.empty() ? "" : " (" + step.note + ")");
    try {
        std::optional<crypto::scp11::HostHandshake> handshake;
        if (step.host == "certify-card") {
            if (!host_.ca) throw StepFailure("the CA key is needed to issue the card (--passphrase-file)");
            const auto certificate =
                host_.ca->issueCard(crypto::EcPublicKey::fromPoint(knownValue(values_, "card_key")), host_.cardIndex);
            values_["card_certificate"] = certificate.der();
        } else if (step.host == "mutual-authenticate") {
            const auto cardCertificate = crypto::Certificate::fromDer(knownValue(values_, "card_certificate"));
            handshake.emplace(host_.credentials.key, std::vector<crypto::Certificate>{host_.credentials.certificate},
                              cardCertificate.publicKey());
            const auto command = handshake->mutualAuthenticate();
            values_["host_ephemeral"] = slice(command.data, command.data.size() - crypto::kP256PointSize,
                                              crypto::kP256PointSize);
        } else if (step.host == "certify-new-cards") {
            if (!host_.ca) throw StepFailure("the CA key is needed to certify the new cards (--passphrase-file)");
            addNewCardRequests(values_, *host_.ca);
        } else if (step.host == "redistribute-to-card") {
            addRedistributionsToCard(values_);
        } else if (!step.host.empty()) {
            throw StepFailure("unknown host action \"" + step.host + "\"");
        }

        const apdu::ResponseApdu answer = exchange(step);
        // What does not fit is shown byte by byte, but not from an answer that may hold a share.
        auto fits = [&](const std::string& expect) {
            std::string why = mismatch(expect, answer.encode(), values_);
            if (!why.empty() && answerMayHoldShare(step))
                why = "the answer (" + std::to_string(answer.data.size()) + " bytes, " + apdu::sw::hex(answer.sw) +
                      ") does not fit \"" + expect + "\"; its bytes are not shown: it may hold a share";
            return why;
        };
        if (handshake) {
            const std::string why = fits(step.expect);
            if (!why.empty()) throw StepFailure(why);
            try {
                session_.emplace(handshake->finish(answer));
            } catch (const crypto::scp11::HandshakeError& e) {
                throw StepFailure(std::string("the card's receipt does not check: ") + e.what());
            }
        } else if (step.via != Via::Reset && step.via != Via::Unpower) {
            const std::string why = fits(step.expect);
            if (!why.empty()) throw StepFailure(why);
        }
        if (!step.check.empty()) check(step.check);
    } catch (const StepFailure& e) {
        throw StepFailure(where + ": " + e.what());
    } catch (const PatternError& e) {
        throw StepFailure(where + ": the vector is wrong: " + e.what());
    } catch (const host::Error& e) {
        throw StepFailure(where + ": " + e.what());
    } catch (const apdu::ApduError& e) {
        throw StepFailure(where + ": the card broke ISO 7816-4: " + e.what());
    } catch (const crypto::CertificateError& e) {
        throw StepFailure(where + ": " + e.what());
    } catch (const std::exception& e) {
        // A host action or check refused the values it was given (a damaged test-values.json,
        // a point that is not on the curve): this case fails, the run goes on.
        throw StepFailure(where + ": " + e.what());
    }
}

apdu::ResponseApdu Conversation::exchange(const Step& step) {
    auto plainCommand = [&] {
        const Bytes header = fill(step.command, values_);
        if (header.size() != 4) throw PatternError("a header is 4 bytes: \"" + step.command + "\"");
        apdu::CommandApdu command{header[0], header[1], header[2], header[3], fill(step.data, values_), step.ne};
        return command;
    };
    auto rawExchange = [&](const Bytes& bytes) {
        try {
            return apdu::ResponseApdu::parse(card_.transmit(bytes));
        } catch (const apdu::ApduError&) {
            throw StepFailure("the answer to " + shown(bytes) + " is shorter than a status word");
        }
    };
    switch (step.via) {
        case Via::Raw: return rawExchange(fill(step.command, values_));
        case Via::Link: return link_.transmit(plainCommand());
        case Via::Session: {
            if (!session_) throw StepFailure("no SCP11a session is open (an earlier step failed)");
            const auto wrapped = session_->wrapCommand(plainCommand());
            lastWrapped_ = wrapped.encode();
            const auto answer = link_.transmit(wrapped);
            // A bare 69 82 ends the session on the card (docs/apdu-spec.md, Secure messaging). The
            // host keeps wrapping, so that a later step shows whether the card really ended it.
            if (answer.sw == apdu::sw::kSecurityStatusNotSatisfied && answer.data.empty()) return answer;
            try {
                return session_->unwrapResponse(answer);
            } catch (const crypto::SecureMessagingError& e) {
                session_.reset();
                throw StepFailure(std::string("the protected answer (") + apdu::sw::hex(answer.sw) +
                                  ") fails its check: " + e.what());
            }
        }
        case Via::Tampered: {
            if (!session_) throw StepFailure("no SCP11a session is open (an earlier step failed)");
            Bytes wrapped = session_->wrapCommand(plainCommand()).encode();
            if (!step.flip || *step.flip >= wrapped.size()) throw PatternError("\"flip\" is not a byte of the command");
            wrapped[*step.flip] ^= 0x01;
            return rawExchange(wrapped);
        }
        case Via::Replayed:
            if (lastWrapped_.empty()) throw StepFailure("no wrapped command was sent yet");
            return rawExchange(lastWrapped_);
        case Via::Reset: card_.reconnect(true); return {};
        case Via::Unpower: card_.powerCycle(); return {};
    }
    throw PatternError("unknown step");
}

void Conversation::check(const std::string& name) {
    if (name == "feldman-share") {
        // GET SHARE's record: x (1) || s_x (32) || commitments digest (32).
        // The commitments are the test deal's, or those of the redistribution RESHARE IN took.
        const Bytes& released = knownValue(values_, "released_share");
        const auto commitments = crypto::FeldmanCommitments::decode(commitmentsWithDigest(values_, slice(released, 33, 32)));
        const crypto::FeldmanShare share{released.at(0), slice(released, 1, 32)};
        if (!crypto::verifyShare(share, commitments))
            throw StepFailure("the share s_x does not match the Feldman commitments (s_x G != sum x^j C_j)");
    } else if (name == "shoup-partial") {
        const auto key = rsaKey(values_);
        const crypto::shoup::Partial partial{knownValue(values_, "rsa_index").at(0), knownValue(values_, "partial_value"), knownValue(values_, "partial_c"),
                                             knownValue(values_, "partial_z")};
        if (!crypto::shoup::verifyPartial(key, partial, knownValue(values_, "digest")))
            throw StepFailure("the partial signature fails its proof of correctness against v_i of the card's index");
    } else if (name == "shoup-batch") {
        const auto key = rsaKey(values_);
        crypto::shoup::BatchPartial batch{pieces(knownValue(values_, "batch_values"), key.modulusSize()),
                                          knownValue(values_, "partial_c"), knownValue(values_, "partial_z")};
        const auto digests = pieces(knownValue(values_, "digests"), crypto::shoup::kDigestSize);
        if (!crypto::shoup::verifyBatch(key, knownValue(values_, "rsa_index").at(0), batch,
                                        std::vector<Bytes>(digests.begin(), digests.begin() + static_cast<std::ptrdiff_t>(batch.values.size()))))
            throw StepFailure("the batch of partial signatures fails its one proof");
    } else if (name == "reshare-out") {
        checkReshareOut(values_);
    } else if (name == "reshare-in-kept") {
        keepReshared(values_);
    } else {
        throw StepFailure("unknown check \"" + name + "\"");
    }
}

}  // namespace quorum::conformance
