"""Which request each recent card answered, so "More" and replies can build on it.

Kept in memory only: after a restart old cards are forgotten and say so politely.
"""

from __future__ import annotations

from collections import OrderedDict

from .request import Request

CARDS_REMEMBERED = 20_000


class CardMemory:
    def __init__(self, size: int = CARDS_REMEMBERED) -> None:
        self._size = size
        self._cards: OrderedDict[int, Request] = OrderedDict()

    def remember(self, message_id: int, request: Request) -> None:
        self._cards[message_id] = request
        self._cards.move_to_end(message_id)
        while len(self._cards) > self._size:
            self._cards.popitem(last=False)

    def recall(self, message_id: int) -> Request | None:
        request = self._cards.get(message_id)
        if request is not None:
            self._cards.move_to_end(message_id)
        return request
