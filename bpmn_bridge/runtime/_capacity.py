"""Slots for running jobs: fetch only what can run now."""

from __future__ import annotations

import anyio

__all__ = ["Capacity"]


class Capacity:
    """A connector's job slots in one worker process, shared by every engine it serves.

    A fetch first reserves free slots and asks the engine for at most that many jobs, so the
    worker never holds a leased job it cannot start: back pressure reaches the engine.

    Args:
        size: Jobs that may run at once.
        share: At most this many slots one fetch may reserve, so engines served together
            each get a share while the other long-polls.
    """

    def __init__(self, size: int, *, share: int | None = None) -> None:
        self.size = size
        self.share = max(1, min(share or size, size))
        self._free = size
        self._urgent = 0
        # made by the first waiter, set and dropped by the next change: a slot freed while
        # nobody waits makes no event
        self._changed: anyio.Event | None = None

    @property
    def free(self) -> int:
        """Slots neither running a job nor reserved by a fetch."""
        return self._free

    @property
    def in_use(self) -> int:
        """Slots running a job or reserved by a fetch."""
        return self.size - self._free

    @property
    def urgent_waiting(self) -> int:
        """Urgent reservations waiting for a slot."""
        return self._urgent

    async def reserve(
        self,
        most: int | None = None,
        *,
        urgent: bool = False,
        batch: int = 1,
        patience: float = 0.0,
    ) -> int:
        """Wait for at least one free slot, then reserve up to ``most`` (the share).

        Args:
            most: Reserve at most this many (and never more than the share).
            urgent: For a job already leased to this worker (a streamed job): it goes
                before every plain reservation, which waits while an urgent one does, so
                a fetch loop that frees and re-reserves its slots cannot starve it.
            batch: Once one slot is free, wait up to ``patience`` seconds for this many,
                so a busy worker fetches in batches instead of one job per round trip.
            patience: See ``batch``.

        Returns:
            How many slots were reserved (at least 1).
        """
        limit = self.share if most is None else max(1, min(most, self.share))
        if not urgent and patience > 0 and batch > 1:
            with anyio.move_on_after(patience):
                while self._free < min(batch, limit) or self._urgent:
                    await self._wait_for_change()
        if urgent:
            self._urgent += 1
            try:
                while self._free == 0:
                    await self._wait_for_change()
            finally:
                self._urgent -= 1
                self._notify()
        else:
            while self._free == 0 or self._urgent:
                await self._wait_for_change()
        taken = min(self._free, limit)
        self._free -= taken
        return taken

    def release(self, count: int = 1) -> None:
        """Give slots back (a job ended, or a fetch returned fewer jobs than reserved)."""
        if count <= 0:
            return
        self._free = min(self.size, self._free + count)
        self._notify()

    async def wait_idle(self) -> None:
        """Wait until no slot is in use."""
        while self._free < self.size:
            await self._wait_for_change()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def _wait_for_change(self) -> None:
        if self._changed is None:
            self._changed = anyio.Event()
        await self._changed.wait()
