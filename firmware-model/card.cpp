#include "firmware-model/card.hpp"

#include <openssl/crypto.h>

#include "apdu/error.hpp"
#include "apdu/status.hpp"
#include "firmware-model/card_response.hpp"
#include "firmware-model/seeded_fault.hpp"
#include "protocol/commands.hpp"
#include "protocol/fci.hpp"
#include "protocol/shares.hpp"
#include "apdu/tlv.hpp"

namespace quorum::card {

using apdu::CommandApdu;
using apdu::ResponseApdu;
using apdu::Tlv;
namespace sw = apdu::sw;
using answer::status;

namespace {

constexpr std::uint8_t kAllStates = 0x3F;

std::uint8_t stateBit(Lifecycle state) {
    switch (state) {
        case Lifecycle::Blank: return 0x01;
        case Lifecycle::Personalized: return 0x02;
        case Lifecycle::Operational: return 0x04;
        case Lifecycle::Blocked: return 0x08;
        case Lifecycle::Terminated: return 0x10;
        case Lifecycle::Retired: return 0x20;
    }
    return 0;
}
constexpr std::uint8_t kBlankBit = 0x01, kPersonalizedBit = 0x02, kOperationalBit = 0x04,
                       kBlockedBit = 0x08, kRetiredBit = 0x20;

using protocol::kApplicationId;

}  // namespace

bool holderMaySendSecrets(Lifecycle state, bool commandWrapped, bool fullProtection,
                          bool pinVerifiedInSession) {
    return state == Lifecycle::Operational && commandWrapped && fullProtection && pinVerifiedInSession;
}

Card::Card(Nvm& nvm, Coprocessor& coprocessor) : nvm_(nvm), coprocessor_(coprocessor) {
    auto id = nvm_.read(field::kCardId);
    auto state = nvm_.read(field::kLifecycle);
    if (!id && !state) {
        // First power-up ever: the card gets its identity, as a factory would give it.
        Bytes fresh(protocol::kCardIdSize);
        coprocessor_.random(fresh.data(), fresh.size());
        nvm_.begin();
        nvm_.write(field::kCardId, fresh);
        nvm_.write(field::kLifecycle, {static_cast<std::uint8_t>(Lifecycle::Blank)});
        nvm_.commit();
        id = fresh;
        state = Bytes{static_cast<std::uint8_t>(Lifecycle::Blank)};
    }
    if (!id || id->size() != protocol::kCardIdSize)
        throw std::runtime_error("card memory holds no valid card id (expected 16 bytes)");
    if (!state || state->size() != 1 || !protocol::lifecycleFromByte((*state)[0]))
        throw std::runtime_error("card memory holds no valid lifecycle state");
    cardId_ = *id;
    // The last PUK try was spent and failed, but power went before the card was terminated.
    const auto pukTries = nvm_.read(field::kPukTries);
    if (pukTries && pukTries->size() == 1 && (*pukTries)[0] == 0 &&
        lifecycle() != Lifecycle::Terminated)
        terminate();
}

Lifecycle Card::lifecycle() const {
    return static_cast<Lifecycle>(readByte(field::kLifecycle));
}

std::optional<PinPolicy> Card::policy() const {
    const auto encoded = nvm_.read(field::kPinPolicy);
    if (!encoded) return std::nullopt;
    return PinPolicy::decode(*encoded);
}

std::uint8_t Card::readByte(const char* name, std::uint8_t otherwise) const {
    const auto value = nvm_.read(name);
    return value && value->size() == 1 ? (*value)[0] : otherwise;
}

void Card::writeByte(const char* name, std::uint8_t value) { nvm_.write(name, Bytes{value}); }

void Card::setLifecycle(Lifecycle state) {
    writeByte(field::kLifecycle, static_cast<std::uint8_t>(state));
}

Bytes Card::atr() {
    // TS=3B direct convention; T0=8F: TD1 follows, 15 historical bytes; TD1=80: TD2 follows, T=0;
    // TD2=01: T=1. Historical bytes (ISO 7816-4 8.1.1): category 80, then COMPACT-TLV:
    // 56 "QUORUM" (card issuer's data), 73 80 00 C0 (card capabilities: selection by full DF
    // name; command chaining and extended Lc/Le), 82 90 00 (status indicator: SW 9000).
    Bytes atr = {0x3B, 0x8F, 0x80, 0x01, 0x80, 0x56, 'Q', 'U', 'O', 'R', 'U', 'M',
                 0x73, 0x80, 0x00, 0xC0, 0x82, 0x90, 0x00};
    std::uint8_t tck = 0;
    for (std::size_t i = 1; i < atr.size(); ++i) tck ^= atr[i];  // ISO 7816-3 8.2.5: T0..last
    atr.push_back(tck);
    return atr;
}

void Card::powerOn() {
    clearVolatileState();
    powered_ = true;
}

void Card::powerOff() {
    clearVolatileState();
    powered_ = false;
}

void Card::reset() {
    clearVolatileState();
    powered_ = true;
}

void Card::discardPendingResponse() {
    if (hasSeededFault(SeededFault::PendingResponseKept)) return;
    OPENSSL_cleanse(pendingResponse_.data(), pendingResponse_.size());
    pendingResponse_.clear();
}

void Card::clearVolatileState() {
    selected_ = false;
    dropSession();
    OPENSSL_cleanse(pendingResponse_.data(), pendingResponse_.size());
    pendingResponse_.clear();
    chain_.reset();
}

Bytes Card::process(const Bytes& raw) {
    if (!powered_) powerOn();  // bytes can only arrive at a card that has power
    // A command refused before it is read discards pending response bytes as any other command
    // but GET RESPONSE does (docs/apdu-spec.md).
    const auto refuse = [this](std::uint16_t statusWord) {
        discardPendingResponse();
        return status(statusWord).encode();
    };
    if (raw.size() < 4) return refuse(sw::kWrongLength);

    const std::uint8_t cla = raw[0];
    const std::uint8_t classBits = cla & protocol::cla::kClassMask;
    if (cla == 0xFF || (classBits != protocol::cla::kInterindustry && classBits != protocol::cla::kProprietary))
        return refuse(sw::kClaNotSupported);
    if ((cla & protocol::cla::kChannelMask) != 0) return refuse(sw::kLogicalChannelNotSupported);
    // GP secure messaging is CLA bit 04; ISO's other SM indication (08) is not supported.
    if ((cla & protocol::cla::kIsoSecureMessaging) != 0) return refuse(sw::kSecureMessagingNotSupported);

    CommandApdu command;
    try {
        command = CommandApdu::parse(raw);
    } catch (const apdu::ApduError&) {
        return refuse(sw::kWrongLength);
    }

    if (chain_.inProgress() && !chain_.continues(command)) {
        chain_.reset();
        return refuse(sw::kLastCommandOfChainExpected);
    }
    if (command.isChained() || chain_.inProgress()) {
        if (command.ins == ins::kGetResponse) return refuse(sw::kChainingNotSupported);
        try {
            auto whole = chain_.add(command);
            if (!whole) {  // a part of a chain, received
                discardPendingResponse();
                return status(sw::kSuccess).encode();
            }
            command = std::move(*whole);
        } catch (const apdu::ApduError&) {
            chain_.reset();
            return refuse(sw::kWrongLength);
        }
    }

    // GET RESPONSE sits below secure messaging: what it returns was protected already.
    if (command.ins == ins::kGetResponse && (command.cla & protocol::cla::kGpSecureMessaging) == 0)
        return getResponse(command).encode();
    discardPendingResponse();

    const std::optional<std::size_t> ne = command.ne;
    secureCommand_ = (command.cla & protocol::cla::kGpSecureMessaging) != 0;
    endSessionAfterAnswer_ = false;
    if (secureCommand_) {
        if (!session_) return status(sw::kSecurityStatusNotSatisfied).encode();
        try {
            if (hasSeededFault(SeededFault::ReplayAccepted)) command = unwrapAcceptingReplay(command);
            else command = session_->unwrapCommand(command);
        } catch (const std::exception&) {
            dropSession();  // GP: any secure messaging error ends the session
            return status(sw::kSecurityStatusNotSatisfied).encode();
        }
    } else if (session_ && command.ins != ins::kSelect) {
        dropSession();  // an unprotected command ends the session (SELECT ends it anyway)
    }

    ResponseApdu answer;
    try {
        answer = dispatch(command, secureCommand_);
    } catch (const NvmFullError&) {
        if (nvm_.inTransaction()) nvm_.abort();
        answer = status(sw::kNotEnoughMemory);
    } catch (const NvmError&) {
        // The write did not happen; nothing half-done is left behind.
        if (nvm_.inTransaction()) nvm_.abort();
        answer = status(sw::kMemoryFailure);
    }
    // Inside a session every 6982 ends it, whether secure messaging failed or the command's
    // security condition did: the host then knows the session state from the status alone.
    if (secureCommand_ && answer.sw == sw::kSecurityStatusNotSatisfied) dropSession();
    if (secureCommand_ && session_) {
        answer = session_->wrapResponse(answer);
        if (hasSeededFault(SeededFault::NoResponseMac) && crypto::isProtectedStatus(answer.sw))
            answer.data.resize(answer.data.size() - 8);
    }
    // WIPE's answer still carries the session's R-MAC; then the session goes with the key it rested on.
    if (endSessionAfterAnswer_) dropSession();
    return deliver(std::move(answer.data), ne, answer.sw).encode();
}

CommandApdu Card::unwrapAcceptingReplay(const CommandApdu& wrapped) {
    // The broken card keeps the session as it was before the last command and falls back to it.
    const crypto::SecureMessaging before = *session_;
    try {
        CommandApdu plain = session_->unwrapCommand(wrapped);
        sessionBeforeLastCommand_ = before;
        return plain;
    } catch (const crypto::SecureMessagingError&) {
        if (!sessionBeforeLastCommand_) throw;
        session_ = sessionBeforeLastCommand_;
        return session_->unwrapCommand(wrapped);
    }
}

void Card::dropSession() {
    sessionBeforeLastCommand_.reset();
    session_.reset();
    hostKey_.reset();
    pinVerified_ = false;  // a PIN is only ever verified inside a session
}

struct Card::Instruction {
    bool proprietary;             // CLA 8x (GlobalPlatform) rather than 0x
    std::uint8_t ins;
    std::uint8_t states;          // lifecycle states it runs in (stateBit); elsewhere 6985
    bool whilePinChangePending;   // runs on a PERSONALIZED card whose PIN must change first
    bool needsSelection;          // the application must be selected, else 6985
    Handler handler;
    std::optional<std::uint16_t> object = std::nullopt;  // PUT DATA: this row's object (P1-P2) only
};

const Card::Instruction* Card::findInstruction(std::uint8_t cla, std::uint8_t code, std::uint16_t object) {
    constexpr std::uint8_t kInUse = kPersonalizedBit | kOperationalBit | kBlockedBit;
    constexpr std::uint8_t kAlive = kBlankBit | kInUse;
    // A share may join a card that has none, issued or not (the handlers check "none").
    constexpr std::uint8_t kShareable = kBlankBit | kPersonalizedBit | kOperationalBit;
    // The state table of docs/apdu-spec.md ("Lifecycle states"); the first matching row counts.
    static const Instruction kTable[] = {
        {false, ins::kSelect, kAllStates, true, false, &Card::select},
        // A RETIRED card still shows its public objects (its certificate, its usage counter).
        {false, ins::kGetData, kAlive | kRetiredBit, true, true, &Card::getData},
        {false, ins::kPutData, kShareable, true, true, &Card::putShare, tag::kShare},
        {false, ins::kPutData, kShareable, true, true, &Card::putRsaShare, tag::kRsaShare},
        {false, ins::kPutData, kBlankBit, false, true, &Card::putData},
        {false, ins::kGenerateKeyPair, kBlankBit, false, true, &Card::generateKeyPair},
        {true, ins::kPerformSecurityOperation, kAlive, true, true, &Card::performSecurityOperation},
        {true, ins::kMutualAuthenticate, kAlive, true, true, &Card::mutualAuthenticate},
        {false, ins::kActivateFile, kBlankBit, false, true, &Card::activate},
        {false, ins::kVerify, kInUse, true, true, &Card::verify},
        {false, ins::kChangeReferenceData, kInUse, true, true, &Card::changeReferenceData},
        {false, ins::kResetRetryCounter, kInUse, false, true, &Card::resetRetryCounter},
        {true, ins::kGetShare, kOperationalBit, false, true, &Card::getShare},
        {true, ins::kPartialSign, kOperationalBit, false, true, &Card::partialSign},
        {true, ins::kWipe, kBlankBit, false, true, &Card::wipe},
        {true, ins::kReshareOut, kOperationalBit, false, true, &Card::reshareOut},
        // A new card takes its share as PUT DATA 00C9 does (the handler checks which it may hold).
        {true, ins::kReshareIn, kPersonalizedBit | kOperationalBit, true, true, &Card::reshareIn},
        {true, ins::kRetire, kInUse, true, true, &Card::retire},
    };
    const bool proprietary = (cla & protocol::cla::kClassMask) == protocol::cla::kProprietary;
    for (const auto& entry : kTable)
        if (entry.ins == code && entry.proprietary == proprietary && (!entry.object || *entry.object == object))
            return &entry;
    return nullptr;
}

ResponseApdu Card::dispatch(const CommandApdu& command, bool secure) {
    const Instruction* entry =
        findInstruction(command.cla, command.ins, static_cast<std::uint16_t>((command.p1 << 8) | command.p2));
    if (entry == nullptr) return status(sw::kInsNotSupported);
    if (entry->needsSelection && !selected_) return status(sw::kConditionsNotSatisfied);
    const Lifecycle state = lifecycle();
    if ((entry->states & stateBit(state)) == 0) return status(sw::kConditionsNotSatisfied);
    if (state == Lifecycle::Personalized && !entry->whilePinChangePending &&
        readByte(field::kPinChangeRequired) != 0)
        return status(sw::kConditionsNotSatisfied);
    // How it must arrive (protocol::arrivalOf): else 6982, or 6882 for a wrapped handshake command.
    const auto arrival = protocol::arrivalOf(command.cla, command.ins, command.p1, command.p2);
    if (arrival == protocol::Arrival::Clear && secure) return status(sw::kSecureMessagingNotSupported);
    if (arrival == protocol::Arrival::Session && !secure) return status(sw::kSecurityStatusNotSatisfied);
    if (arrival == protocol::Arrival::Holder &&
        !holderMaySendSecrets(state, secure, session_ && session_->level().isFull(), pinVerified_))
        return status(sw::kSecurityStatusNotSatisfied);
    return (this->*(entry->handler))(command);
}

ResponseApdu Card::select(const CommandApdu& command) {
    if (command.p1 != protocol::kSelectByName) return status(sw::kIncorrectP1P2);
    if (command.p2 != protocol::kSelectReturnFci && command.p2 != protocol::kSelectNoData)
        return status(sw::kIncorrectP1P2);
    if (command.data.empty()) return status(sw::kWrongLength);
    if (command.data != kApplicationId) {
        selected_ = false;  // ISO 7816-4 7.1.1: a failed selection leaves nothing selected here
        return status(sw::kFileNotFound);
    }
    clearVolatileState();
    selected_ = true;
    // ISO 7816-4 table 6: 6285, selected file in termination state.
    const std::uint16_t result =
        lifecycle() == Lifecycle::Terminated ? sw::kSelectedFileTerminated : sw::kSuccess;
    if (command.p2 == protocol::kSelectNoData) return status(result);
    return ResponseApdu{fci(), result};
}

Bytes Card::fci() const {
    protocol::Fci fci;
    fci.cardId = cardId_;
    fci.lifecycle = static_cast<std::uint8_t>(lifecycle());
    // The PIN policy is public and a host needs it to build PIN blocks, even on a card that
    // answers nothing but PIN commands until its transport PIN is changed.
    fci.pinPolicy = policy();
    return fci.encode();
}

ResponseApdu Card::getData(const CommandApdu& command) {
    const std::uint16_t requested = static_cast<std::uint16_t>((command.p1 << 8) | command.p2);
    if (requested == tag::kCertificateStore) return getCertificate(command);
    // A card waiting for its PIN change shows only its certificate (to open the session in
    // which the PIN is changed).
    if (lifecycle() == Lifecycle::Personalized && readByte(field::kPinChangeRequired) != 0)
        return status(sw::kConditionsNotSatisfied);
    if (!command.data.empty()) return status(sw::kWrongLength);
    auto value = [](Bytes data) { return ResponseApdu{std::move(data), sw::kSuccess}; };
    switch (requested) {
        case tag::kFormatVersion: return value({protocol::kFormatVersion});
        case tag::kCardId: return value(cardId_);
        case tag::kLifecycle: return value({static_cast<std::uint8_t>(lifecycle())});
        case tag::kPinStatus: {
            const auto p = policy();
            if (!p || lifecycle() == Lifecycle::Blank) return status(sw::kReferencedDataNotFound);
            return value(protocol::PinStatus{readByte(field::kPinTries), p->pinTries, readByte(field::kPukTries),
                                             p->pukTries, readByte(field::kPinChangeRequired) != 0}
                             .encode());
        }
        case tag::kUsageCounter: {
            const auto counter = nvm_.read(field::kUsageCounter);
            return value(counter ? *counter : protocol::encodeUsageCounter(0));
        }
        case tag::kPinPolicy: {
            const auto p = policy();
            if (!p) return status(sw::kReferencedDataNotFound);
            return value(p->encode());
        }
        default: return status(sw::kReferencedDataNotFound);
    }
}

ResponseApdu Card::getResponse(const CommandApdu& command) {
    if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    if (!command.data.empty() || !command.ne) return status(sw::kWrongLength);
    if (pendingResponse_.empty()) return status(sw::kConditionsNotSatisfied);
    Bytes rest;
    rest.swap(pendingResponse_);
    return deliver(std::move(rest), command.ne, pendingSw_);
}

ResponseApdu Card::deliver(Bytes data, std::optional<std::size_t> ne, std::uint16_t finalSw) {
    const std::size_t now = ne.value_or(0);
    pendingSw_ = finalSw;
    if (data.size() <= now) return ResponseApdu{std::move(data), finalSw};
    // ISO 7816-4 5.3.4: give Ne bytes, keep the rest, and say how much is left (00 = 256 or more).
    ResponseApdu answer{Bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(now)), 0};
    pendingResponse_.assign(data.begin() + static_cast<std::ptrdiff_t>(now), data.end());
    OPENSSL_cleanse(data.data(), data.size());
    const std::size_t left = pendingResponse_.size();
    answer.sw = static_cast<std::uint16_t>(sw::kBytesAvailable | (left >= 256 ? 0 : left));
    return answer;
}

}  // namespace quorum::card
