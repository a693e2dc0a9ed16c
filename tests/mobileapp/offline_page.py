"""A real Flet page without a browser: the app's shell and screens run on it exactly as in a served session, only
the messages to the client go nowhere. Lets tests open every route (load, build, draw) without Chromium.

It uses Flet 1.0.5's session classes (pinned in requirements.txt): a ``Connection`` whose ``send_message`` drops
the message, a pub/sub hub, and the page context services register with.
"""

from __future__ import annotations

import asyncio

from flet.controls.context import _context_page
from flet.messaging.connection import Connection
from flet.messaging.protocol import Message
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub


class _Nowhere(Connection):
    def send_message(self, message: Message) -> None:
        """No client is attached: the page's patches are computed and dropped."""


def offline_session(loop: asyncio.AbstractEventLoop) -> Session:
    """Keep the session referenced while its page is used: the page holds it weakly."""
    connection = _Nowhere()
    connection.loop = loop
    connection.pubsubhub = PubSubHub()
    session = Session(connection)
    _context_page.set(session.page)  # services (FilePicker, SharedPreferences) register with the current page
    return session
