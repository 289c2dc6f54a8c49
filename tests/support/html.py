"""Pages as a user's browser reads them: parsed HTML (beautifulsoup4), not substrings of markup."""

from __future__ import annotations

from collections.abc import Iterator

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, Tag
from bs4.element import ProcessingInstruction

# Elements that start a new line when shown, so that their text never runs into their neighbours'.
BLOCKS = frozenset(
    "address article aside blockquote br caption dd details div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr legend li main nav ol option p pre section select "
    "summary table tbody td tfoot th thead title tr ul".split()
)
NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


class Node:
    """An element of a parsed page: its tag, attributes, text, and the elements inside it."""

    def __init__(self, element: Tag) -> None:
        self._element = element

    @property
    def tag(self) -> str:
        return self._element.name

    @property
    def attrs(self) -> dict[str, str]:
        """Return the attributes as text (a class list joined by spaces, as in the markup)."""
        return {
            name: " ".join(value) if isinstance(value, list) else str(value)
            for name, value in self._element.attrs.items()
        }

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def parent(self) -> Node | None:
        parent = self._element.parent
        return None if parent is None else Node(parent)

    @property
    def children(self) -> list[Node | str]:
        return [
            Node(child) if isinstance(child, Tag) else str(child)
            for child in self._element.children
            if isinstance(child, Tag)
            or (isinstance(child, NavigableString) and not isinstance(child, NOT_TEXT))
        ]

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def __contains__(self, item: object) -> bool:
        raise TypeError("ask `name in node.attrs` for an attribute, or `node.contains(other)`")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Node) and other._element is self._element

    def __hash__(self) -> int:
        return id(self._element)

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"

    def iter(self) -> Iterator[Node]:
        """Yield this element and every element inside it, in document order."""
        yield self
        for element in self._element.find_all(True):
            yield Node(element)

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        """Return this element and those inside it with `tag`, class `cls` and `attrs`.

        An attribute's keyword drops a trailing underscore and has "-" for "_" (`class_`,
        `aria_current`); `class_` is one class among the element's classes.
        """
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        if "class" in wanted:
            cls = wanted.pop("class")
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(name) == value for name, value in wanted.items())
        ]

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        """Return the only element matching, failing the test unless there is exactly one."""
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag} class={cls} {attrs}>, found {len(found)}"
        return found[0]

    def by_id(self, element_id: str) -> Node:
        return self.one(id=element_id)

    @property
    def text(self) -> str:
        """Return the text shown, with runs of white space as one space."""
        return " ".join("".join(self.texts()).split())

    def texts(self) -> Iterator[str]:
        """Yield the pieces of text inside, with a space around each block element's."""
        yield from _texts(self._element)

    @property
    def text_by_id(self) -> dict[str, str]:
        """Return the text inside every element that has an id, by id."""
        return {node.attrs["id"]: node.text for node in self.iter() if "id" in node.attrs}

    def links(self) -> list[str]:
        """Return the href of every link, in document order."""
        return [node.attrs["href"] for node in self.find_all("a") if "href" in node.attrs]

    def closest(self, cls: str) -> Node:
        """Return the nearest enclosing element with class `cls`."""
        node = self.parent
        while node is not None and cls not in node.classes:
            node = node.parent
        assert node is not None, f"no ancestor of <{self.tag}> has class {cls}"
        return node

    def contains(self, other: Node) -> bool:
        return any(node == other for node in self.iter())

    def is_inside(self, other: Node) -> bool:
        return other.contains(self)


def _texts(element: Tag) -> Iterator[str]:
    for child in element.children:
        if isinstance(child, Tag):
            block = child.name in BLOCKS
            if block:
                yield " "
            yield from _texts(child)
            if block:
                yield " "
        elif isinstance(child, NavigableString) and not isinstance(child, NOT_TEXT):
            yield str(child)


def parse(markup: str) -> Node:
    """Return the parsed page, as its document node."""
    return Node(BeautifulSoup(markup, "html.parser"))
