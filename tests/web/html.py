"""Reading pages as a user's browser would: parsed HTML, not substrings of markup."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """A parsed page: its text, its elements with attributes, and the text inside each id."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_parts: list[str] = []
        self._open_ids: list[tuple[str, str, int]] = []
        self.text_by_id: dict[str, str] = {}
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if "id" in attributes:
            self._open_ids.append((tag, attributes["id"], len(self.text_parts)))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open_ids) - 1, -1, -1):
            open_tag, ident, start = self._open_ids[index]
            if open_tag == tag:
                self.text_by_id[ident] = " ".join(" ".join(self.text_parts[start:]).split())
                del self._open_ids[index]
                break

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def find_all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        """Return the attributes of every `tag` element whose attributes include `attrs`."""
        wanted = {k.rstrip("_"): v for k, v in attrs.items()}
        return [
            a
            for t, a in self.elements
            if t == tag
            and all(
                (v in a.get(k, "").split()) if k == "class" else a.get(k) == v
                for k, v in wanted.items()
            )
        ]

    def links(self) -> list[str]:
        return [a["href"] for t, a in self.elements if t == "a" and "href" in a]
