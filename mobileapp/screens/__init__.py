"""One module per screen (or small family of screens). Screens draw controller state; they hold no rules, and they
navigate by route name (``mobileapp.routes``), never by importing one another. Shared pieces: ``base`` (the Screen
class) and ``common`` (tiles, tags, the countdown)."""
