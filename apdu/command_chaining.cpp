#include "apdu/command_chaining.hpp"

#include <stdexcept>
#include <string>

#include "apdu/error.hpp"
#include "apdu/status.hpp"

namespace quorum::apdu {

namespace {

std::uint8_t withoutChaining(std::uint8_t cla) {
    return static_cast<std::uint8_t>(cla & ~kClaChaining);
}

std::string hexByte(std::uint8_t value) {
    return toHex(&value, 1);
}

std::string header(const CommandApdu& command) {
    return "CLA " + hexByte(command.cla) + " INS " + hexByte(command.ins) + " P1 " +
           hexByte(command.p1) + " P2 " + hexByte(command.p2);
}

}  // namespace

std::vector<CommandApdu> splitChain(const CommandApdu& command, std::size_t maxChunk) {
    if (maxChunk == 0) throw std::invalid_argument("splitChain: maxChunk must be at least 1");
    if (command.data.size() <= maxChunk) return {command};

    std::vector<CommandApdu> parts;
    parts.reserve((command.data.size() + maxChunk - 1) / maxChunk);
    std::size_t offset = 0;
    while (command.data.size() - offset > maxChunk) {
        // ISO 7816-4 5.1.1.1: CLA b5 = 1 on every part but the last; those parts carry no Le.
        CommandApdu part;
        part.cla = static_cast<std::uint8_t>(command.cla | kClaChaining);
        part.ins = command.ins;
        part.p1 = command.p1;
        part.p2 = command.p2;
        const auto from = command.data.begin() + static_cast<std::ptrdiff_t>(offset);
        part.data.assign(from, from + static_cast<std::ptrdiff_t>(maxChunk));
        parts.push_back(std::move(part));
        offset += maxChunk;
    }
    // The last part is the original command (CLA, Ne, form) with the remaining data.
    CommandApdu last = command;
    last.data.assign(command.data.begin() + static_cast<std::ptrdiff_t>(offset),
                     command.data.end());
    parts.push_back(std::move(last));
    return parts;
}

ChainAssembler::ChainAssembler(std::size_t maxTotal) : maxTotal_(maxTotal) {}

bool ChainAssembler::continues(const CommandApdu& part) const {
    return pending_ && withoutChaining(pending_->cla) == withoutChaining(part.cla) &&
           pending_->ins == part.ins && pending_->p1 == part.p1 && pending_->p2 == part.p2;
}

void ChainAssembler::reset() {
    pending_.reset();
}

std::optional<CommandApdu> ChainAssembler::add(const CommandApdu& part) {
    // On any throw below the chain in progress is left as it was; the caller decides to reset.
    if (pending_ && !continues(part))
        throw ApduError(Rule::ChainMismatch, "the chain started with " + header(*pending_) +
                                                 " but this part has " + header(part) +
                                                 " (only the chaining bit 10 of CLA may differ)");
    const std::size_t have = pending_ ? pending_->data.size() : 0;
    if (part.data.size() > maxTotal_ - have)  // have <= maxTotal_ always holds
        throw ApduError(Rule::DataTooLong,
                        "the chain would grow to " + std::to_string(have + part.data.size()) +
                            " data bytes, beyond the limit of " + std::to_string(maxTotal_));

    if (part.isChained()) {
        if (pending_)
            pending_->data.insert(pending_->data.end(), part.data.begin(), part.data.end());
        else
            pending_ = part;
        return std::nullopt;
    }

    // The last part (or a command that was never chained): its CLA has the chaining bit clear
    // and its Le is the Le of the whole command; Le fields on earlier parts are ignored
    // (ISO 7816-4 5.1.1.1).
    CommandApdu whole = part;
    if (pending_) {
        whole.data = std::move(pending_->data);
        whole.data.insert(whole.data.end(), part.data.begin(), part.data.end());
        pending_.reset();
    }
    return whole;
}

CommandChainingChannel::CommandChainingChannel(CardChannel& inner, std::size_t maxChunk)
    : inner_(inner), maxChunk_(maxChunk) {
    if (maxChunk == 0)
        throw std::invalid_argument("CommandChainingChannel: maxChunk must be at least 1");
}

ResponseApdu CommandChainingChannel::transmit(const CommandApdu& command) {
    if (command.data.size() <= maxChunk_) return inner_.transmit(command);
    const std::vector<CommandApdu> parts = splitChain(command, maxChunk_);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        // An intermediate part answered with anything but 9000 ends the chain: the card has
        // refused it (e.g. 6884 chaining not supported) and that answer is the caller's result.
        ResponseApdu answer = inner_.transmit(parts[i]);
        if (answer.sw != sw::kSuccess) return answer;
    }
    return inner_.transmit(parts.back());
}

}  // namespace quorum::apdu
