#include "host/dnssec/xml_tree.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>

#include "host/dnssec/errors.hpp"
#include "host/dnssec/ldns_objects.hpp"

namespace quorum::host::dnssec::xml {
namespace {

constexpr std::size_t kMaxTokenLength = 1024;
constexpr std::size_t kMaxBase64Length = 16384;

const char* chars(const xmlChar* text) {
    return reinterpret_cast<const char*>(text);
}

bool isXmlSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string trimmed(const std::string& text) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && isXmlSpace(text[begin])) ++begin;
    while (end > begin && isXmlSpace(text[end - 1])) --end;
    return text.substr(begin, end - begin);
}

bool allSpace(const xmlChar* text) {
    for (const char* c = chars(text); c && *c; ++c)
        if (!isXmlSpace(*c)) return false;
    return true;
}

// libxml2 keeps global state; initialising it once, before any parse, is what it asks for.
void initLibxml() {
    static const bool done = [] {
        xmlInitParser();
        return true;
    }();
    (void)done;
}

}  // namespace

std::string readDocumentFile(const std::string& path, const std::string& what) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        throw DocumentError("cannot read the " + what + " " + path + ": " + std::strerror(errno));
    if (!S_ISREG(info.st_mode))
        throw DocumentError("the " + what + " " + path + " is not a regular file");
    if (static_cast<std::uint64_t>(info.st_size) > kMaxDocumentBytes)
        throw DocumentError("the " + what + " " + path + " has " + std::to_string(info.st_size) +
                            " bytes, more than the " +
                            std::to_string(kMaxDocumentBytes / (1024 * 1024)) + " MiB a " + what +
                            " may have");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DocumentError("cannot read the " + what + " " + path + ": " + std::strerror(errno));
    std::string text;
    char chunk[65536];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        text.append(chunk, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxDocumentBytes)
            throw DocumentError("the " + what + " " + path + " grew beyond " +
                                std::to_string(kMaxDocumentBytes / (1024 * 1024)) +
                                " MiB while it was read");
    }
    if (in.bad()) throw DocumentError("cannot read the " + what + " " + path);
    return text;
}

// ---- Element ------------------------------------------------------------------------------

std::string Element::name() const {
    return chars(node_->name);
}

int Element::line() const {
    return static_cast<int>(xmlGetLineNo(node_));
}

void Element::fail(const std::string& message) const {
    throw DocumentError(*source_ + " line " + std::to_string(line()) + ": <" + name() +
                        ">: " + message);
}

std::string Element::text() const {
    std::string text;
    for (const xmlNode* child = node_->children; child; child = child->next) {
        switch (child->type) {
            case XML_TEXT_NODE: text += chars(child->content); break;
            case XML_COMMENT_NODE: break;
            case XML_ELEMENT_NODE:
                fail(std::string("holds an element <") + chars(child->name) + ">, not a value");
            default:
                fail(
                    "holds something other than text (CDATA, an entity or a processing "
                    "instruction)");
        }
    }
    return trimmed(text);
}

void Element::allowAttributes(const std::vector<std::string>& allowed) const {
    for (const xmlAttr* a = node_->properties; a; a = a->next) {
        bool known = false;
        for (const auto& name : allowed) known = known || name == chars(a->name);
        if (!known) fail(std::string("unknown attribute ") + chars(a->name));
        if (a->ns) fail(std::string("attribute ") + chars(a->name) + " has a namespace");
    }
}

std::optional<std::string> Element::attribute(const char* name) const {
    const xmlAttr* a = xmlHasNsProp(node_, reinterpret_cast<const xmlChar*>(name), nullptr);
    if (!a) return std::nullopt;
    xmlChar* value = xmlNodeGetContent(reinterpret_cast<const xmlNode*>(a));
    std::string text = value ? chars(value) : "";
    xmlFree(value);
    return text;
}

std::string Element::requiredAttribute(const char* name) const {
    auto value = attribute(name);
    if (!value) fail(std::string("the attribute ") + name + " is missing");
    return *value;
}

std::vector<Element> Element::children() const {
    std::vector<Element> result;
    for (const xmlNode* child = node_->children; child; child = child->next) {
        switch (child->type) {
            case XML_ELEMENT_NODE:
                if (child->ns)
                    Element(child, source_)
                        .fail("elements with a namespace are not part of the format");
                result.emplace_back(child, source_);
                break;
            case XML_TEXT_NODE:
                if (!allSpace(child->content)) fail("holds text where only elements belong");
                break;
            case XML_COMMENT_NODE: break;
            default:
                fail(
                    "holds something other than elements (CDATA, an entity or a processing "
                    "instruction)");
        }
    }
    return result;
}

// ---- Children -----------------------------------------------------------------------------

Children::Children(const Element& parent)
    : parent_(parent), all_(parent.children()), taken_(all_.size()) {}

Element Children::one(const char* name) {
    auto found = optional(name);
    if (!found) parent_.fail(std::string("the element <") + name + "> is missing");
    return *found;
}

std::optional<Element> Children::optional(const char* name) {
    auto found = many(name);
    if (found.size() > 1) found[1].fail("may appear only once");
    if (found.empty()) return std::nullopt;
    return found[0];
}

std::vector<Element> Children::many(const char* name) {
    std::vector<Element> found;
    for (std::size_t i = 0; i < all_.size(); ++i) {
        if (all_[i].name() != name) continue;
        found.push_back(all_[i]);
        taken_[i] = true;
    }
    return found;
}

void Children::done() const {
    for (std::size_t i = 0; i < all_.size(); ++i)
        if (!taken_[i]) all_[i].fail("unknown element inside <" + parent_.name() + ">");
}

// ---- Tree ---------------------------------------------------------------------------------

void Tree::FreeDoc::operator()(_xmlDoc* doc) const noexcept {
    xmlFreeDoc(doc);
}

Tree::Tree(std::unique_ptr<_xmlDoc, FreeDoc> doc, std::string source)
    : doc_(std::move(doc)), source_(std::make_unique<std::string>(std::move(source))) {}

Tree Tree::parse(const std::string& text, const std::string& source) {
    initLibxml();
    if (text.size() > kMaxDocumentBytes)
        throw DocumentError(source + ": " + std::to_string(text.size()) + " bytes, more than the " +
                            std::to_string(kMaxDocumentBytes / (1024 * 1024)) + " MiB allowed");
    std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> context(xmlNewParserCtxt(),
                                                                       xmlFreeParserCtxt);
    if (!context) throw DocumentError(source + ": cannot start the XML parser");
    // No XML_PARSE_NOENT (entities stay unexpanded), no DTD loading, no network.
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    std::unique_ptr<_xmlDoc, FreeDoc> doc(xmlCtxtReadMemory(
        context.get(), text.data(), static_cast<int>(text.size()), nullptr, nullptr, options));
    if (!doc) {
        const xmlError* error = xmlCtxtGetLastError(context.get());
        std::string reason = error && error->message ? trimmed(error->message) : "not well-formed";
        const int line = error ? error->line : 0;
        throw DocumentError(source + " line " + std::to_string(line) +
                            ": not well-formed XML: " + reason);
    }
    if (doc->intSubset || doc->extSubset)
        throw DocumentError(source + ": a DTD is not allowed in this document");
    for (const xmlNode* node = doc->children; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE || node->type == XML_COMMENT_NODE) continue;
        throw DocumentError(source + ": only comments may stand next to the root element");
    }
    if (!xmlDocGetRootElement(doc.get())) throw DocumentError(source + ": no root element");
    return Tree(std::move(doc), source);
}

Element Tree::root() const {
    return Element(xmlDocGetRootElement(doc_.get()), source_.get());
}

// ---- field readers ------------------------------------------------------------------------

std::uint64_t number(const Element& element, const std::string& text, std::uint64_t max) {
    if (text.empty() || text.size() > 20)
        element.fail("\"" + text + "\" is not a number from 0 to " + std::to_string(max));
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            element.fail("\"" + text + "\" is not a number from 0 to " + std::to_string(max));
        const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
            element.fail("\"" + text + "\" is not a number from 0 to " + std::to_string(max));
        value = value * 10 + digit;
    }
    if (value > max) element.fail(text + " is larger than " + std::to_string(max));
    return value;
}

std::uint64_t numberText(const Element& element, std::uint64_t max) {
    return number(element, element.text(), max);
}

bool isToken(const std::string& text) {
    if (text.empty() || text.size() > kMaxTokenLength) return false;
    for (char c : text)
        if (c <= ' ' || c > '~' || c == '<' || c == '>' || c == '&' || c == '"' || c == '\'')
            return false;
    return true;
}

std::string token(const Element& element, const std::string& text, const char* what) {
    if (!isToken(text))
        element.fail(std::string("the ") + what + " \"" + text + "\" must be 1 to " +
                     std::to_string(kMaxTokenLength) +
                     " printable ASCII characters without white space, <, >, & or quotes");
    return text;
}

std::string base64Text(const Element& element) {
    std::string text = element.text();
    if (text.empty()) element.fail("is empty");
    if (text.size() > kMaxBase64Length)
        element.fail("is longer than " + std::to_string(kMaxBase64Length) + " characters");
    if (!ldns::decodeBase64(text)) element.fail("is not base64");
    return text;
}

// ---- Writer -------------------------------------------------------------------------------

void Writer::line(const std::string& text) {
    text_.append(static_cast<std::size_t>(depth_ * indent_), ' ');
    text_ += text;
    text_ += '\n';
}

void Writer::open(const std::string& tagWithAttributes) {
    line(tagWithAttributes);
    ++depth_;
}

void Writer::close(const std::string& name) {
    --depth_;
    line("</" + name + ">");
}

void Writer::leaf(const std::string& name, const std::string& value) {
    line("<" + name + ">" + value + "</" + name + ">");
}

}  // namespace quorum::host::dnssec::xml
