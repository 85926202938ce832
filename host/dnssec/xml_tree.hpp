// Strict reading of small XML documents through libxml2, and writing them line by line.
// Internal to host/dnssec.
//
// Reading: no DTD (so no entities to expand), no network, nothing after the root element but
// comments and white space; text only in leaf elements; every element and attribute must be
// one the caller takes. Errors are DocumentError "SOURCE line N: <Element>: what".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct _xmlDoc;
struct _xmlNode;

namespace quorum::host::dnssec::xml {

constexpr std::size_t kMaxDocumentBytes = 10 * 1024 * 1024;

// The bytes of the file at `path`, refusing one larger than kMaxDocumentBytes before reading it;
// DocumentError naming `what` and the file otherwise.
std::string readDocumentFile(const std::string& path, const std::string& what);

class Element {
public:
    Element(const _xmlNode* node, const std::string* source) : node_(node), source_(source) {}

    std::string name() const;
    int line() const;
    [[noreturn]] void fail(const std::string& message) const;

    // The element's text without surrounding white space; refuses child elements.
    std::string text() const;
    // Refuses any attribute not in `allowed`.
    void allowAttributes(const std::vector<std::string>& allowed) const;
    std::optional<std::string> attribute(const char* name) const;
    std::string requiredAttribute(const char* name) const;

    // Child elements in document order; refuses text other than white space, CDATA,
    // processing instructions and entity references; skips comments.
    std::vector<Element> children() const;

private:
    const _xmlNode* node_;
    const std::string* source_;
};

// The children of one element, taken by name in any order; done() refuses what was not taken.
class Children {
public:
    explicit Children(const Element& parent);
    Element one(const char* name);
    std::optional<Element> optional(const char* name);
    std::vector<Element> many(const char* name);
    void done() const;

private:
    Element parent_;
    std::vector<Element> all_;
    std::vector<bool> taken_;
};

class Tree {
public:
    // `source` names the document in every message ("KSR ksr-root-2017-q2-0.xml").
    static Tree parse(const std::string& text, const std::string& source);
    Element root() const;

private:
    struct FreeDoc {
        void operator()(_xmlDoc* doc) const noexcept;
    };
    Tree(std::unique_ptr<_xmlDoc, FreeDoc> doc, std::string source);
    std::unique_ptr<_xmlDoc, FreeDoc> doc_;
    std::unique_ptr<std::string> source_;  // stable address for the Elements
};

// Field readers with messages that name the element. Numbers: decimal digits only, in range.
std::uint64_t number(const Element& element, const std::string& text, std::uint64_t max);
std::uint64_t numberText(const Element& element, std::uint64_t max);
// An identifier (id, keyIdentifier, domain): 1-1024 printable ASCII characters without white
// space or XML's special characters, so that writing it back needs no escaping.
bool isToken(const std::string& text);
std::string token(const Element& element, const std::string& text, const char* what);
// Base64 text, kept as written (white space inside allowed, as kskm allows it), checked to decode.
std::string base64Text(const Element& element);

// Lines of an XML document: `indent` spaces per level, LF endings.
class Writer {
public:
    explicit Writer(int indent) : indent_(indent) {}
    void open(const std::string& tagWithAttributes);  // "<Key keyIdentifier=\"..\">"
    void close(const std::string& name);
    void leaf(const std::string& name, const std::string& value);
    void line(const std::string& text);  // at the current depth
    const std::string& text() const { return text_; }

private:
    int indent_;
    int depth_ = 0;
    std::string text_;
};

}  // namespace quorum::host::dnssec::xml
